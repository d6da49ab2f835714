using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace E2eeChat.Server.Tests.Accounts;

public sealed class SqliteFakeClockServerFactory : SqliteServerFactory
{
    public SqliteFakeClockServerFactory() => Clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
}

public sealed class PostgresFakeClockServerFactory : PostgresServerFactory
{
    public PostgresFakeClockServerFactory() => Clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
}

/// <summary>
/// After the grace window (30 s by default) a used refresh token coming back means it leaked: 401 and every
/// session of that device ends. One test per server: it moves the server's clock.
/// </summary>
public abstract class RefreshGraceWindowTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Refresh_token_reused_after_the_grace_window_returns_401_and_ends_the_devices_sessions()
    {
        var alice = await _api.SignUpAsync();
        var otherLogin = await _api.PostAsync("/api/v1/auth/token", new { username = alice.Username, password = TestAccounts.Password, deviceId = 1 });
        var rotated = await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = alice.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        factory.Clock!.Advance(TimeSpan.FromSeconds(31));

        var replay = await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = alice.RefreshToken });

        Assert.Equal(HttpStatusCode.Unauthorized, replay.Status);
        Assert.Equal("refresh_token_reused", replay.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync("/api/v1/auth/me", rotated.Text("accessToken"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync("/api/v1/auth/me", alice.AccessToken)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync("/api/v1/auth/me", otherLogin.Text("accessToken"))).Status);
        var rotatedRefresh = await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = rotated.Text("refreshToken") });
        Assert.Equal(HttpStatusCode.Unauthorized, rotatedRefresh.Status);
    }
}

public sealed class SqliteRefreshGraceWindowTests(SqliteFakeClockServerFactory factory)
    : RefreshGraceWindowTests<SqliteFakeClockServerFactory>(factory);

public sealed class PostgresRefreshGraceWindowTests(PostgresFakeClockServerFactory factory)
    : RefreshGraceWindowTests<PostgresFakeClockServerFactory>(factory);
