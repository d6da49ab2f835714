using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.Server.Tests.Errors;

/// <summary>Every bad input gets a ProblemDetails with a stable code, and writes nothing.</summary>
public sealed class BadInputTests(SqliteServerFactory factory) : IClassFixture<SqliteServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    public static TheoryData<string, string> BadSignups => new()
    {
        { """{"username":"ab","password":"correct horse","identityKey":"KEY","registrationId":1,"deviceName":"p"}""", "invalid_username" },
        { """{"username":"has space","password":"correct horse","identityKey":"KEY","registrationId":1,"deviceName":"p"}""", "invalid_username" },
        { """{"username":"NAME","password":"short","identityKey":"KEY","registrationId":1,"deviceName":"p"}""", "invalid_password" },
        { """{"username":"NAME","password":"correct horse","identityKey":"not base64!","registrationId":1,"deviceName":"p"}""", "invalid_identity_key" },
        { """{"username":"NAME","password":"correct horse","identityKey":"AAAA","registrationId":1,"deviceName":"p"}""", "invalid_identity_key" },
        { """{"username":"NAME","password":"correct horse","registrationId":1,"deviceName":"p"}""", "invalid_identity_key" },
        { """{"username":"NAME","password":"correct horse","identityKey":"KEY","registrationId":0,"deviceName":"p"}""", "invalid_registration_id" },
        { """{"username":"NAME","password":"correct horse","identityKey":"KEY","registrationId":16381,"deviceName":"p"}""", "invalid_registration_id" },
        { """{"username":"NAME","password":"correct horse","identityKey":"KEY","registrationId":1,"deviceName":""}""", "invalid_device_name" },
        { """{"username":"NAME","password":"correct horse","identityKey":"KEY","registrationId":1,"deviceName":"LONGNAME"}""", "invalid_device_name" },
        { """{"username":"NAME","password":"correct horse","identityKey":"KEY","registrationId":"one","deviceName":"p"}""", "malformed_json" },
        { """{"username":"NAME","password":"correct horse",""", "malformed_json" },
        { """[1,2,3]""", "malformed_json" },
    };

    [Theory]
    [MemberData(nameof(BadSignups))]
    public async Task Bad_signup_returns_400_with_a_code_and_creates_nothing(string template, string code)
    {
        var username = TestAccounts.UniqueUsername("bad");
        var body = template.Replace("LONGNAME", new string('x', 65), StringComparison.Ordinal)
            .Replace("NAME", username, StringComparison.Ordinal)
            .Replace("KEY", TestAccounts.IdentityKey(username), StringComparison.Ordinal);

        var response = await _api.PostRawAsync("/api/v1/accounts", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(code, response.Code);
        Assert.False(string.IsNullOrWhiteSpace(response.Text("detail")));
        // Nothing half-written: the same username is still free.
        Assert.Equal(HttpStatusCode.Created, (await _api.PostAsync("/api/v1/accounts", TestAccounts.SignUpBody(username))).Status);
    }

    [Fact]
    public async Task Empty_body_returns_400()
    {
        var response = await _api.PostRawAsync("/api/v1/auth/token", "");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.NotNull(response.Code);
    }

    [Fact]
    public async Task Wrong_content_type_returns_415_with_a_code()
    {
        using var content = new StringContent("username=x", System.Text.Encoding.UTF8, "text/plain");
        var response = await _api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", content, null);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.Status);
        Assert.Equal("unsupported_media_type", response.Code);
    }

    [Fact]
    public async Task Unknown_route_returns_404_problem()
    {
        var response = await _api.GetAsync("/api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Code);
    }

    [Fact]
    public async Task Non_numeric_device_id_in_path_returns_404()
    {
        var alice = await _api.SignUpAsync();
        var response = await _api.DeleteAsync("/api/v1/devices/abc", alice.AccessToken);
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Code);
    }

    [Fact]
    public async Task Link_without_code_or_credentials_returns_400()
    {
        var response = await _api.PostAsync("/api/v1/devices", new { name = "x", registrationId = 5 });
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Code);
    }

    [Fact]
    public async Task Health_and_openapi_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/health/live")).Status);
        var ready = await _api.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("healthy", ready.Text("status"));
        var openApi = await _api.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openApi.Status);
        Assert.NotNull(openApi.Body!["paths"]!["/api/v1/accounts"]);
    }
}
