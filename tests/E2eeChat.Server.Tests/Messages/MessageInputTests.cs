using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Messages;

/// <summary>Bad sends get 400/404/413 with a code and store nothing.</summary>
public sealed class MessageInputTests(SqliteServerFactory factory) : IClassFixture<SqliteServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    public static TheoryData<string, string> BadSends => new()
    {
        { """{"messages":[],"timestamp":1}""", "invalid_envelope" },
        { """{"messages":[{"destinationDeviceId":1,"destinationRegistrationId":REG,"type":2,"content":"aGk="}]}""", "invalid_envelope" },
        { """{"messages":[{"destinationDeviceId":1,"destinationRegistrationId":REG,"type":99,"content":"aGk="}],"timestamp":1}""", "invalid_envelope" },
        { """{"messages":[{"destinationDeviceId":1,"destinationRegistrationId":REG,"type":2,"content":"not base64!"}],"timestamp":1}""", "invalid_envelope" },
        { """{"messages":[{"destinationDeviceId":1,"destinationRegistrationId":REG,"type":2}],"timestamp":1}""", "invalid_envelope" },
        { """{"messages":[{"destinationDeviceId":1,"destinationRegistrationId":REG,"type":2,"content":[104,105]}],"timestamp":1}""", "invalid_envelope" },
        { """{"messages":[{"destinationDeviceId":0,"destinationRegistrationId":REG,"type":2,"content":"aGk="}],"timestamp":1}""", "invalid_envelope" },
        { """{"messages":[{"destinationDeviceId":1,"destinationRegistrationId":REG,"type":2,"content":"aGk="},{"destinationDeviceId":1,"destinationRegistrationId":REG,"type":2,"content":"aGk="}],"timestamp":1}""", "invalid_envelope" },
        { """{"messages":[{"destinationDeviceId":1,"destinationRegistrationId":REG,"type":2,"content":"aGk="}],"timestamp":1,"messageId":"has space"}""", "invalid_message_id" },
        { """{"messages":[{"destinationDeviceId":1,"destinationRegistrationId":REG,"type":2,"content":"aGk="}],"timestamp":1,"ttlSeconds":0}""", "invalid_envelope" },
        { """{"messages":"nope","timestamp":1}""", "malformed_json" },
    };

    [Theory]
    [MemberData(nameof(BadSends))]
    public async Task Bad_send_returns_400_with_a_code_and_stores_nothing(string template, string code)
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var registration = (await _api.DevicesAsync(bob))[0].RegistrationId;
        var body = template.Replace("REG", registration.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var response = await _api.SendAsync(HttpMethod.Put, $"/api/v1/messages/{bob.UserId}",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), alice.AccessToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(code, response.Code);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Envelope_over_the_size_limit_returns_413()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var registration = (await _api.DevicesAsync(bob))[0].RegistrationId;
        var big = new
        {
            messages = new[] { new { destinationDeviceId = 1, destinationRegistrationId = registration, type = 2, content = Convert.ToBase64String(new byte[(256 * 1024) + 1]) } },
            timestamp = 1,
        };

        var response = await _api.PutAsync($"/api/v1/messages/{bob.UserId}", big, alice.AccessToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("payload_too_large", response.Code);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Request_over_the_total_size_limit_returns_413()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var chunk = Convert.ToBase64String(new byte[250 * 1024]);
        var body = new
        {
            messages = Enumerable.Range(1, 9).Select(i => new { destinationDeviceId = i, destinationRegistrationId = 5, type = 2, content = chunk }).ToArray(),
            timestamp = 1,
        };

        var response = await _api.PutAsync($"/api/v1/messages/{bob.UserId}", body, alice.AccessToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("payload_too_large", response.Code);
    }

    [Fact]
    public async Task Send_to_unknown_user_returns_404()
    {
        var alice = await _api.SignUpAsync();
        var response = await _api.PutAsync($"/api/v1/messages/{Guid.NewGuid()}", Send([Envelope(1, 1, "x")]), alice.AccessToken);
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("user_not_found", response.Code);
    }

    [Fact]
    public async Task Messages_endpoints_require_a_token()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync("/api/v1/messages")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.PostAsync("/api/v1/messages/ack", new { ids = new[] { Guid.NewGuid() } })).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.PutAsync($"/api/v1/messages/{Guid.NewGuid()}", Send([Envelope(1, 1, "x")]))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync($"/api/v1/messages/{Guid.NewGuid()}/status")).Status);
    }

    [Fact]
    public async Task Ack_without_ids_returns_400()
    {
        var alice = await _api.SignUpAsync();
        var response = await _api.PostAsync("/api/v1/messages/ack", new { ids = Array.Empty<Guid>() }, alice.AccessToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Code);
    }
}
