using E2eeChat.Server.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace E2eeChat.Server.Tests.Cluster;

/// <summary>On a Redis Cluster of three primaries: every key a script touches is in one slot, pub/sub crosses nodes.</summary>
public sealed class ThreeInstancesOnRedisCluster() : ThreeInstances(redisCluster: true);

/// <summary>
/// The cluster scenarios (delivery across instances, receipts, newest connection wins, revocation, presence, rate
/// limits, readiness) on a real Redis Cluster instead of one redis-server.
/// </summary>
public sealed class RedisClusterTests(ThreeInstancesOnRedisCluster fixture, ITestOutputHelper output)
    : ClusterScenarios(fixture.Cluster, output), IClassFixture<ThreeInstancesOnRedisCluster>
{
    /// <summary>The app's own keys spread over the nodes rather than sharing one slot.</summary>
    [Fact]
    public async Task Presence_and_rate_limit_keys_spread_over_the_nodes()
    {
        var cluster = fixture.Cluster;
        using var api = cluster.Api(0);
        var users = new List<TestDevice>();
        // Twelve users: all their keys hash to one of three nodes with odds of 1 in 177,147.
        for (var i = 0; i < 12; i++)
        {
            users.Add(await api.SignUpAsync());
        }
        var hubs = new List<HubDevice>();
        foreach (var (user, i) in users.Select((user, i) => (user, i)))
        {
            // Each connection writes its user's presence set; each token request its username's bucket.
            var hub = await HubDevice.ConnectAsync(cluster.Instance(i % 3).BaseAddress, user);
            hubs.Add(hub);
            await hub.WaitForQueueEmptyAsync();
            await api.PostAsync("/api/v1/auth/token", new { username = user.Username, password = "wrong password", deviceId = 1 });
        }

        var presence = new List<int>();
        var limits = new List<int>();
        foreach (var node in cluster.RedisCluster.Nodes)
        {
            var keys = await node.CliAsync("--scan", "--pattern", "*e2eechat:*");
            if (keys.Contains("e2eechat:presence:", StringComparison.Ordinal))
            {
                presence.Add(node.Port);
            }
            if (keys.Contains("e2eechat:limit:TokenPerUsername:", StringComparison.Ordinal))
            {
                limits.Add(node.Port);
            }
        }
        foreach (var hub in hubs)
        {
            await hub.DisposeAsync();
        }
        Assert.True(presence.Count >= 2, $"presence keys on {presence.Count} node(s) only");
        Assert.True(limits.Count >= 2, $"rate-limit keys on {limits.Count} node(s) only");
    }
}
