using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.Server.Tests.Accounts;

/// <summary>Sign-up, login, refresh and logout, through the HTTP API, on each store.</summary>
public abstract class AccountAndSessionTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Signup_returns_tokens_for_primary_device_and_me_knows_it()
    {
        var username = TestAccounts.UniqueUsername("Sign");
        var response = await _api.PostAsync("/api/v1/accounts", TestAccounts.SignUpBody(username));

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal(1, response.Int("deviceId"));
        Assert.Equal(900, response.Int("expiresIn"));
        var me = await _api.GetAsync("/api/v1/auth/me", response.Text("accessToken"));
        Assert.Equal(HttpStatusCode.OK, me.Status);
        Assert.Equal(username.ToLowerInvariant(), me.Text("username"));
        Assert.Equal(response.Text("userId"), me.Text("userId"));
        Assert.Equal(1, me.Int("deviceId"));
    }

    [Fact]
    public async Task Duplicate_username_returns_409_whatever_the_case()
    {
        var alice = await _api.SignUpAsync();

        var again = await _api.PostAsync("/api/v1/accounts", TestAccounts.SignUpBody(alice.Username.ToUpperInvariant()));

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("username_taken", again.Code);
    }

    [Fact]
    public async Task Token_with_right_password_signs_the_device_in()
    {
        var alice = await _api.SignUpAsync();

        var token = await _api.PostAsync("/api/v1/auth/token", new { username = alice.Username, password = TestAccounts.Password, deviceId = 1 });

        Assert.Equal(HttpStatusCode.OK, token.Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/api/v1/auth/me", token.Text("accessToken"))).Status);
    }

    [Fact]
    public async Task Wrong_password_returns_401_and_unknown_user_returns_the_same_error()
    {
        var alice = await _api.SignUpAsync();

        var wrong = await _api.PostAsync("/api/v1/auth/token", new { username = alice.Username, password = "not the password", deviceId = 1 });
        var unknown = await _api.PostAsync("/api/v1/auth/token", new { username = TestAccounts.UniqueUsername("ghost"), password = "not the password", deviceId = 1 });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Equal("invalid_credentials", wrong.Code);
        Assert.Equal(wrong.Status, unknown.Status);
        Assert.Equal(wrong.Code, unknown.Code);
        Assert.Equal(wrong.Text("detail"), unknown.Text("detail"));
    }

    [Fact]
    public async Task Token_for_a_device_that_does_not_exist_returns_404()
    {
        var alice = await _api.SignUpAsync();
        var token = await _api.PostAsync("/api/v1/auth/token", new { username = alice.Username, password = TestAccounts.Password, deviceId = 5 });
        Assert.Equal(HttpStatusCode.NotFound, token.Status);
        Assert.Equal("device_not_found", token.Code);
    }

    [Fact]
    public async Task Refresh_rotates_and_the_new_pair_works()
    {
        var alice = await _api.SignUpAsync();

        var refreshed = await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = alice.RefreshToken });

        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.NotEqual(alice.RefreshToken, refreshed.Text("refreshToken"));
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/api/v1/auth/me", refreshed.Text("accessToken"))).Status);
        var next = await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = refreshed.Text("refreshToken") });
        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public async Task Refresh_retried_within_the_grace_window_returns_the_same_successor_and_revokes_nothing()
    {
        var alice = await _api.SignUpAsync();
        var rotated = await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = alice.RefreshToken });

        // The client never saw that answer (a timeout) and tries again with the token it has.
        var retried = await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = alice.RefreshToken });

        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        Assert.Equal(HttpStatusCode.OK, retried.Status);
        Assert.Equal(rotated.Text("refreshToken"), retried.Text("refreshToken"));
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/api/v1/auth/me", retried.Text("accessToken"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/api/v1/auth/me", rotated.Text("accessToken"))).Status);
        var next = await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = retried.Text("refreshToken") });
        Assert.Equal(HttpStatusCode.OK, next.Status);
        Assert.NotEqual(retried.Text("refreshToken"), next.Text("refreshToken"));
    }

    [Fact]
    public async Task Concurrent_refreshes_of_one_token_all_succeed_with_the_same_successor()
    {
        var alice = await _api.SignUpAsync();

        var refreshes = await Task.WhenAll(Enumerable.Range(0, 4)
            .Select(_ => _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = alice.RefreshToken })));

        Assert.All(refreshes, r => Assert.True(r.Status == HttpStatusCode.OK, r.ToString()));
        Assert.Single(refreshes.Select(r => r.Text("refreshToken")).Distinct());
        foreach (var refresh in refreshes)
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/api/v1/auth/me", refresh.Text("accessToken"))).Status);
        }
    }

    [Fact]
    public async Task Unknown_refresh_token_returns_401()
    {
        var response = await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = "not-a-token" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("invalid_refresh_token", response.Code);
    }

    [Fact]
    public async Task Logout_ends_the_session_at_once()
    {
        var alice = await _api.SignUpAsync();

        var logout = await _api.PostAsync("/api/v1/auth/logout", token: alice.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, logout.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync("/api/v1/auth/me", alice.AccessToken)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = alice.RefreshToken })).Status);
    }

    [Fact]
    public async Task User_lookup_finds_by_username_and_requires_a_token()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();

        var found = await _api.GetAsync($"/api/v1/users/{alice.Username.ToUpperInvariant()}", bob.AccessToken);
        var missing = await _api.GetAsync($"/api/v1/users/{TestAccounts.UniqueUsername("nobody")}", bob.AccessToken);
        var anonymous = await _api.GetAsync($"/api/v1/users/{alice.Username}");

        Assert.Equal(HttpStatusCode.OK, found.Status);
        Assert.Equal(alice.UserId.ToString(), found.Text("userId"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("user_not_found", missing.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal("unauthorized", anonymous.Code);
    }

    [Fact]
    public async Task Tampered_access_token_returns_401()
    {
        var alice = await _api.SignUpAsync();
        var tampered = alice.AccessToken[..^4] + (alice.AccessToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync("/api/v1/auth/me", tampered)).Status);
    }
}

public sealed class SqliteAccountAndSessionTests(SqliteServerFactory factory) : AccountAndSessionTests<SqliteServerFactory>(factory);

public sealed class PostgresAccountAndSessionTests(PostgresServerFactory factory) : AccountAndSessionTests<PostgresServerFactory>(factory);
