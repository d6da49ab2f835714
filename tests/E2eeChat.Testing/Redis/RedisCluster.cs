using E2eeChat.Testing.Processes;

namespace E2eeChat.Testing.Redis;

/// <summary>
/// A real Redis Cluster of three primaries and no replicas: three Debian <c>redis-server</c> processes with
/// <c>--cluster-enabled yes</c>, each on a free loopback port in its own temp directory, joined with
/// <c>redis-cli --cluster create</c> (redis-cli comes with redis-server, in redis-tools). Stopped on dispose.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private readonly List<RedisServer> _nodes = [];

    private RedisCluster()
    {
    }

    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary>For StackExchange.Redis: every node, <c>127.0.0.1:a,127.0.0.1:b,127.0.0.1:c</c>.</summary>
    public string ConfigurationString => string.Join(',', _nodes.Select(node => node.ConfigurationString));

    public static async Task<RedisCluster> StartNewAsync(int primaries = 3)
    {
        var cluster = new RedisCluster();
        try
        {
            for (var i = 0; i < primaries; i++)
            {
                cluster._nodes.Add(await RedisServer.StartNewAsync(clusterNode: true).ConfigureAwait(false));
            }
            await ServerProcess.RunAsync("/usr/bin/redis-cli",
                ["--cluster", "create", .. cluster._nodes.Select(node => node.ConfigurationString), "--cluster-replicas", "0", "--cluster-yes"])
                .ConfigureAwait(false);
            // Every node must have heard of every slot's owner before clients may rely on it.
            foreach (var node in cluster._nodes)
            {
                await Wait.UntilAsync(async () => (await node.CliAsync("cluster", "info").ConfigureAwait(false)).Contains("cluster_state:ok", StringComparison.Ordinal),
                    TimeSpan.FromSeconds(30), $"the Redis Cluster node on port {node.Port} to report cluster_state:ok").ConfigureAwait(false);
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }
}
