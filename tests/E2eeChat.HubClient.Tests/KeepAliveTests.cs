using E2eeChat.HubClient.Tests.Hosting;
using Xunit;

namespace E2eeChat.HubClient.Tests;

/// <summary>
/// These wait on real time, because elapsed time is the behaviour under test; each takes a few
/// seconds. ASP.NET Core arms its client timeout only when the first Ping arrives, so a client that
/// never pings is never dropped: the second test shows that pings do arrive, and the first that
/// they come often enough.
/// </summary>
public sealed class KeepAliveTests
{
    [Fact]
    public async Task Keep_alive_pings_keep_an_idle_connection_open()
    {
        await using var server = await TestHubServer.StartAsync(o => o.ClientTimeoutInterval = TimeSpan.FromSeconds(2));
        await using var connection = server.CreateConnection(o => o.KeepAliveInterval = TimeSpan.FromMilliseconds(500));
        await connection.StartAsync().Soon();

        await Task.Delay(TimeSpan.FromSeconds(4));

        Assert.False(connection.WhenClosed.IsCompleted);
        Assert.Equal("awake", await connection.InvokeAsync<string>("Echo", ["awake"]).Soon());
    }

    [Fact]
    public async Task Pings_sparser_than_the_server_timeout_get_the_connection_dropped()
    {
        // The first ping (after about 3 s) arms the server's 1 s timeout; the next one comes too late.
        await using var server = await TestHubServer.StartAsync(o => o.ClientTimeoutInterval = TimeSpan.FromSeconds(1));
        await using var connection = server.CreateConnection(o => o.KeepAliveInterval = TimeSpan.FromSeconds(3));
        await connection.StartAsync().Soon();

        var reason = await connection.WhenClosed.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.IsType<HubConnectionClosedException>(reason);
    }

    [Fact]
    public async Task Silent_server_is_detected_by_the_server_timeout()
    {
        await using var server = await TestHubServer.StartAsync(o => o.KeepAliveInterval = TimeSpan.FromMinutes(1));
        await using var connection = server.CreateConnection(o =>
        {
            o.KeepAliveInterval = TimeSpan.FromMilliseconds(250);
            o.ServerTimeout = TimeSpan.FromSeconds(1);
        });
        await connection.StartAsync().Soon();

        var reason = Assert.IsType<HubConnectionClosedException>(await connection.WhenClosed.Soon());

        Assert.IsType<TimeoutException>(reason.InnerException);
    }
}
