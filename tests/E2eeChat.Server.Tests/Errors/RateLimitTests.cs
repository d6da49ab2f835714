using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.Server.Tests.Errors;

public sealed class LowLimitServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["RateLimits:TokenPerUsername:PermitLimit"] = "2";
        Settings["RateLimits:SignupPerIp:PermitLimit"] = "3";
        Settings["RateLimits:LinkPerAccount:PermitLimit"] = "1";
        Settings["RateLimits:RefreshPerIp:PermitLimit"] = "2";
        return base.InitializeAsync();
    }
}

public sealed class RateLimitTests(LowLimitServerFactory factory) : IClassFixture<LowLimitServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Signup_token_and_link_limits_answer_429_with_retry_after()
    {
        // One test, because the signup bucket is shared by every request from this client.
        var alice = await _api.SignUpAsync();
        await _api.SignUpAsync();
        await _api.SignUpAsync();
        var fourthSignup = await _api.PostAsync("/api/v1/accounts", TestAccounts.SignUpBody(TestAccounts.UniqueUsername()));
        AssertLimited(fourthSignup);

        var body = new { username = alice.Username, password = "wrong password", deviceId = 1 };
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.PostAsync("/api/v1/auth/token", body)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.PostAsync("/api/v1/auth/token", body)).Status);
        var third = await _api.PostAsync("/api/v1/auth/token", new { username = alice.Username.ToUpperInvariant(), password = TestAccounts.Password, deviceId = 1 });
        AssertLimited(third);

        Assert.Equal(HttpStatusCode.Created, (await _api.PostAsync("/api/v1/devices/link-codes", token: alice.AccessToken)).Status);
        AssertLimited(await _api.PostAsync("/api/v1/devices/link-codes", token: alice.AccessToken));
    }

    [Fact]
    public async Task Refresh_is_limited_per_client_address_whatever_the_token()
    {
        var guesses = new List<ApiResponse>();
        for (var i = 0; i < 3; i++)
        {
            guesses.Add(await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = $"guess-{Guid.NewGuid():N}" }));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, guesses[0].Status);
        Assert.Equal(HttpStatusCode.Unauthorized, guesses[1].Status);
        AssertLimited(guesses[2]);
    }

    private static void AssertLimited(ApiResponse response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.Status);
        Assert.Equal("rate_limited", response.Code);
        Assert.NotNull(response.RetryAfter);
        Assert.True(response.RetryAfter > TimeSpan.Zero);
    }
}
