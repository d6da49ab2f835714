using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Xunit;

namespace E2eeChat.Server.Tests.Auth;

/// <summary>Access tokens that live three seconds.</summary>
public sealed class ShortLivedTokenServerFactory : SqliteServerFactory
{
    public ShortLivedTokenServerFactory() => Settings["Auth:AccessTokenLifetime"] = "00:00:03";
}

/// <summary>A session check every second.</summary>
public sealed class FrequentSessionCheckServerFactory : SqliteServerFactory
{
    public FrequentSessionCheckServerFactory() => Settings["Sessions:LiveCheckInterval"] = "00:00:01";

    /// <summary>Ends a session in the store behind the server's back, as a revocation the device bus never carried.</summary>
    public void EndSessionInStore(Guid userId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "e2eechat.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE sessions SET revoked_at = @now WHERE user_id = @user";
        command.Parameters.AddWithValue("@now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@user", userId);
        Assert.Equal(1, command.ExecuteNonQuery());
    }
}

/// <summary>A hub connection lives no longer than its access token (issue 13, finding 4).</summary>
public sealed class HubTokenExpiryTests(ShortLivedTokenServerFactory factory) : IClassFixture<ShortLivedTokenServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task A_hub_connection_is_closed_when_its_access_token_expires_and_a_refreshed_token_connects_again()
    {
        var bob = await _api.SignUpAsync();
        await using var hub = await HubDevice.ConnectAsync(factory.BaseAddress, bob);

        await hub.WaitForCloseAsync();
        Assert.Equal(HubConnectionState.Disconnected, hub.Connection.State);

        var refreshed = await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = bob.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        await using var again = await HubDevice.ConnectAsync(factory.BaseAddress, bob with { AccessToken = refreshed.Text("accessToken") });
        await again.WaitForQueueEmptyAsync();
    }
}

/// <summary>A hub connection lives no longer than its session, even when no revocation message reached it.</summary>
public sealed class HubSessionEndTests(FrequentSessionCheckServerFactory factory) : IClassFixture<FrequentSessionCheckServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task A_hub_connection_whose_session_ended_without_a_revocation_message_is_closed_by_the_next_session_check()
    {
        var bob = await _api.SignUpAsync();
        await using var hub = await HubDevice.ConnectAsync(factory.BaseAddress, bob);
        await hub.WaitForQueueEmptyAsync();

        factory.EndSessionInStore(bob.UserId);

        Assert.Equal("session_ended", await hub.WaitForRevokedAsync());
        await hub.WaitForCloseAsync();
    }
}
