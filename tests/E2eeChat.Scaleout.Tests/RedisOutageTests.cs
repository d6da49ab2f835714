using E2eeChat.Scaleout.Tests.Fakes;
using E2eeChat.Testing.Processes;
using E2eeChat.Testing.Redis;
using static E2eeChat.Scaleout.Tests.Contract.Messages;

namespace E2eeChat.Scaleout.Tests;

/// <summary>
/// Redis going away and coming back: it must cost remote fan-out while it is gone, never local
/// delivery, never an exception to a sender, and never a subscription once it is back. Each test
/// has its own redis-server, stopped and started again on the same port.
/// </summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private RedisServer? _redis;
    private RedisCluster? _cluster;

    private RedisServer Redis => _redis!;

    private RedisCluster Cluster => _cluster!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        _cluster = new RedisCluster(_redis);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task SendAll_from_one_server_reaches_a_connection_on_another_after_redis_restarts()
    {
        var server1 = await Cluster.StartServerAsync();
        var server2 = await Cluster.StartServerAsync();
        using var client = new TestClient();
        await server2.Manager.OnConnectedAsync(client.Connection);

        await StopRedisAsync();
        await Redis.StartAsync();
        await Cluster.WaitUntilConnectedAsync();
        await server1.Manager.SendAllAsync(Target, Arguments);

        await AssertHelloWorldAsync(client);
    }

    [Fact]
    public async Task Sends_while_redis_is_down_reach_local_connections_and_do_not_throw()
    {
        var server1 = await Cluster.StartServerAsync();
        var server2 = await Cluster.StartServerAsync();
        using var local = new TestClient(userIdentifier: "alice");
        using var remote = new TestClient(userIdentifier: "alice");
        await server1.Manager.OnConnectedAsync(local.Connection);
        await server1.Manager.AddToGroupAsync(local.ConnectionId, "room");
        await server2.Manager.OnConnectedAsync(remote.Connection);
        await server2.Manager.AddToGroupAsync(remote.ConnectionId, "room");

        await StopRedisAsync();
        await server1.Manager.SendAllAsync(Target, Arguments);
        await server1.Manager.SendGroupAsync("room", Target, Arguments);
        await server1.Manager.SendUserAsync("alice", Target, Arguments);
        await server1.Manager.SendConnectionAsync(remote.ConnectionId, Target, Arguments);

        await AssertHelloWorldAsync(local);
        await AssertHelloWorldAsync(local);
        await AssertHelloWorldAsync(local);
        Assert.Null(local.TryRead());

        // Remote fan-out was dropped, not queued: mailboxes, not Redis, make up for it (DESIGN §7).
        await Redis.StartAsync();
        await Cluster.WaitUntilConnectedAsync();
        await Cluster.BarrierAsync(server1.Manager);
        Assert.Null(remote.TryRead());
        await server1.Manager.SendGroupAsync("room", Target, Arguments);
        await AssertHelloWorldAsync(remote);
    }

    [Fact]
    public async Task A_connection_made_while_redis_is_down_is_reachable_from_other_servers_once_it_is_back()
    {
        var server1 = await Cluster.StartServerAsync();
        var server2 = await Cluster.StartServerAsync();
        using var client = new TestClient(userIdentifier: "carol");

        await StopRedisAsync();
        await server2.Manager.OnConnectedAsync(client.Connection);
        await server2.Manager.AddToGroupAsync(client.ConnectionId, "room");
        Assert.True(server2.Manager.UnconfirmedChannelCount >= 3);
        await Redis.StartAsync();
        await Cluster.WaitUntilConnectedAsync();

        await server1.Manager.SendConnectionAsync(client.ConnectionId, Target, Arguments);
        await server1.Manager.SendUserAsync("carol", Target, Arguments);
        await server1.Manager.SendGroupAsync("room", Target, Arguments);
        await AssertHelloWorldAsync(client);
        await AssertHelloWorldAsync(client);
        await AssertHelloWorldAsync(client);
    }

    [Fact]
    public async Task Reaching_a_connection_elsewhere_fails_clearly_while_redis_is_down()
    {
        var server1 = await Cluster.StartServerAsync();
        var server2 = await Cluster.StartServerAsync();
        using var client = new TestClient();
        await server2.Manager.OnConnectedAsync(client.Connection);

        await StopRedisAsync();

        var groupError = await Assert.ThrowsAsync<IOException>(() => server1.Manager.AddToGroupAsync(client.ConnectionId, "room"));
        Assert.Contains("Redis", groupError.Message, StringComparison.Ordinal);
        var resultError = await Assert.ThrowsAsync<IOException>(() =>
            server1.Manager.InvokeConnectionAsync<int>(client.ConnectionId, "Result", ["test"], CancellationToken.None));
        Assert.Contains("Redis", resultError.Message, StringComparison.Ordinal);
        Assert.Equal(0, server1.Manager.PendingAckCount);
        Assert.Equal(0, server1.Manager.PendingResultCount);
    }

    [Fact]
    public async Task An_instance_started_while_redis_is_down_serves_locally_and_joins_the_cluster_when_it_is_up()
    {
        await Redis.StopAsync();
        var server1 = await Cluster.StartServerAsync();
        Assert.False(server1.Backplane.IsConnected);
        using var client = new TestClient();
        await server1.Manager.OnConnectedAsync(client.Connection);
        await server1.Manager.SendAllAsync(Target, Arguments);
        await AssertHelloWorldAsync(client);

        await Redis.StartAsync();
        await Cluster.WaitUntilConnectedAsync();
        var server2 = await Cluster.StartServerAsync();
        await server2.Manager.SendAllAsync(Target, Arguments);

        await AssertHelloWorldAsync(client);
    }

    private async Task StopRedisAsync()
    {
        await Redis.StopAsync();
        await Wait.UntilAsync(() => Cluster.Servers.All(s => s.Backplane is { Connection.IsConnected: false, Subscriber.IsConnected: false }),
            RedisCluster.Patience, "every instance to notice that Redis is gone");
    }
}
