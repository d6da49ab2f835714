using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using E2eeChat.Server.Calling;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Turn;
using Xunit;

namespace E2eeChat.Server.Tests.Calling;

/// <summary>A server whose <c>Calling</c> settings point at a real coturn started for the test run.</summary>
public sealed class TurnServerFactory : SqliteServerFactory
{
    public TurnServer Turn { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Turn = await TurnServer.StartAsync(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));
        Settings["Calling:TurnSecret"] = Turn.Secret;
        Settings["Calling:TurnUrls"] = $"{Turn.Url}, turn:127.0.0.1:{Turn.Port}?transport=tcp";
        Settings["Calling:CredentialTtl"] = "01:00:00";
        Settings["RateLimits:CallingRelaysPerAccount:PermitLimit"] = "4";
        await base.InitializeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Turn?.Dispose();
        }
    }
}

public sealed class CallingRelayTests(TurnServerFactory factory) : IClassFixture<TurnServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Relay_credentials_are_coturn_REST_credentials_for_the_caller_that_allocate_a_relay()
    {
        var alice = await _api.SignUpAsync();

        var response = await _api.GetAsync("/api/v1/calling/relays", alice.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var username = response.Text("username");
        var password = response.Text("password");
        var parts = username.Split(':');
        Assert.Equal(alice.UserId.ToString(), parts[1]);
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[0], CultureInfo.InvariantCulture));
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(58), TimeSpan.FromMinutes(61));
        Assert.Equal(3600, response.Int("ttl"));
        Assert.Equal(Sign(username, factory.Turn.Secret), password);
        Assert.Equal([factory.Turn.Url, $"turn:127.0.0.1:{factory.Turn.Port}?transport=tcp"],
            response.Body!["uris"]!.AsArray().Select(u => u!.GetValue<string>()));

        var (allocated, output) = await factory.Turn.AllocateAsync(username, password);
        Assert.True(allocated, output);
    }

    [Fact]
    public async Task Coturn_refuses_a_wrong_password_and_an_expired_credential()
    {
        var alice = await _api.SignUpAsync();
        var response = await _api.GetAsync("/api/v1/calling/relays", alice.AccessToken);
        var username = response.Text("username");

        var (wrong, wrongOutput) = await factory.Turn.AllocateAsync(username, Sign(username, "not the shared secret"));
        var expired = $"{DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds()}:{alice.UserId}";
        var (stale, staleOutput) = await factory.Turn.AllocateAsync(expired, Sign(expired, factory.Turn.Secret));

        Assert.False(wrong, wrongOutput);
        Assert.False(stale, staleOutput);
    }

    [Fact]
    public async Task Relay_credentials_need_a_token_and_are_rate_limited_per_account()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync("/api/v1/calling/relays")).Status);
        var alice = await _api.SignUpAsync();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/api/v1/calling/relays", alice.AccessToken)).Status);
        }

        var limited = await _api.GetAsync("/api/v1/calling/relays", alice.AccessToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal("rate_limited", limited.Code);
    }

    /// <summary>coturn's check, written out independently of the server: base64(HMAC-SHA1(secret, username)).</summary>
    private static string Sign(string username, string secret) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
}

public sealed class CallingWithoutTurnTests(SqliteServerFactory factory) : IClassFixture<SqliteServerFactory>
{
    [Fact]
    public async Task Without_a_configured_TURN_server_relays_answer_503_turn_not_configured()
    {
        using var api = factory.Api();
        var alice = await api.SignUpAsync();

        var response = await api.GetAsync("/api/v1/calling/relays", alice.AccessToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Equal("turn_not_configured", response.Code);
    }

    [Theory]
    [InlineData(null, "turn:127.0.0.1:3478", "00:10:00")]
    [InlineData("short", "turn:127.0.0.1:3478", "00:10:00")]
    [InlineData("a-long-enough-shared-secret", "", "00:10:00")]
    [InlineData("a-long-enough-shared-secret", "http://127.0.0.1:3478", "00:10:00")]
    [InlineData("a-long-enough-shared-secret", "turn:127.0.0.1:3478", "30.00:00:00")]
    public void Inconsistent_calling_settings_fail_start_up(string? secret, string urls, string ttl)
    {
        var options = new CallingOptions { TurnSecret = secret, TurnUrls = urls, CredentialTtl = TimeSpan.Parse(ttl, CultureInfo.InvariantCulture) };

        Assert.Throws<InvalidOperationException>(options.Validate);
    }
}
