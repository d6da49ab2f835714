using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace E2eeChat.Server.Tests.Cluster;

/// <summary>
/// A logout on one instance while Redis is down cannot reach the device's connection on another instance; when Redis
/// returns, that instance checks its connections' sessions and closes the ended one (issue 13, finding 4).
/// </summary>
public sealed class RevocationOutageTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    // The periodic check is pushed out of the test's reach, so only Redis coming back can close the connection.
    public async Task InitializeAsync() =>
        _cluster = await LocalCluster.StartAsync(2, settings: new Dictionary<string, string> { ["Sessions__LiveCheckInterval"] = "01:00:00" });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_logout_made_while_redis_is_down_closes_the_connection_on_another_instance_when_redis_returns()
    {
        using var api0 = _cluster.Api(0);
        var bob = await api0.SignUpAsync();
        await using var bobHub = await HubDevice.ConnectAsync(_cluster.Instance(1).BaseAddress, bob);
        await bobHub.WaitForQueueEmptyAsync();

        await _cluster.Redis.StopAsync();
        await Wait.UntilAsync(async () => (await api0.GetAsync("/health/ready")).Status == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(15), "readiness to report Redis down");
        Assert.Equal(HttpStatusCode.NoContent, (await api0.PostAsync("/api/v1/auth/logout", token: bob.AccessToken)).Status);
        Assert.Equal(HubConnectionState.Connected, bobHub.Connection.State);

        await _cluster.Redis.StartAsync();

        Assert.Equal("session_ended", await bobHub.WaitForRevokedAsync());
        await bobHub.WaitForCloseAsync();
    }
}
