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
    : ClusterScenarios(fixture.Cluster, output), IClassFixture<ThreeInstancesOnRedisCluster>;

/// <summary>The Redis Cluster carries the app's own keys across its nodes, not in one slot.</summary>
public sealed class RedisClusterKeyTests(ThreeInstancesOnRedisCluster fixture) : IClassFixture<ThreeInstancesOnRedisCluster>
{
    [Fact]
    public async Task Presence_and_rate_limit_keys_spread_over_the_nodes()
    {
        var cluster = fixture.Cluster;
        using var api = cluster.Api(0);
        var users = new List<TestDevice>();
        for (var i = 0; i < 8; i++)
        {
            users.Add(await api.SignUpAsync());
        }
        foreach (var (user, i) in users.Select((user, i) => (user, i)))
        {
            // Each connection writes its user's presence set; each token request its username's bucket.
            await using var hub = await HubDevice.ConnectAsync(cluster.Instance(i % 3).BaseAddress, user);
            await hub.WaitForQueueEmptyAsync();
            await api.PostAsync("/api/v1/auth/token", new { username = user.Username, password = "wrong password", deviceId = 1 });
        }

        var holding = new List<int>();
        foreach (var node in cluster.RedisCluster.Nodes)
        {
            var keys = await node.CliAsync("--scan", "--pattern", "*e2eechat:*");
            if (keys.Contains("e2eechat:presence:", StringComparison.Ordinal) || keys.Contains("e2eechat:limit:", StringComparison.Ordinal))
            {
                holding.Add(node.Port);
            }
        }
        Assert.True(holding.Count >= 2, $"keys on {holding.Count} node(s) only");
    }
}
