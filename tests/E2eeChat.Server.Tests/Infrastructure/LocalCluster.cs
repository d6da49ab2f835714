using System.Text.Json.Nodes;
using E2eeChat.Server.Limits;
using E2eeChat.Testing.Certificates;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;
using E2eeChat.Testing.Push;
using E2eeChat.Testing.Redis;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>
/// The cluster topology on loopback, all real processes: PostgreSQL, redis-server (one server, or a Redis
/// Cluster of three primaries), N server instances and, optionally, nginx with the repository's own
/// configuration (nginx/).
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly List<ServerProcessHost?> _instances = [];
    private readonly Dictionary<string, string> _environment;
    private readonly RedisServer? _redis;
    private readonly RedisCluster? _redisCluster;
    private ServerProcess? _nginx;

    private LocalCluster(TempDirectory directory, RedisServer? redis, RedisCluster? redisCluster, Dictionary<string, string> environment)
    {
        _directory = directory;
        _redis = redis;
        _redisCluster = redisCluster;
        _environment = environment;
    }

    /// <summary>The one redis-server, when the cluster was not started on a Redis Cluster.</summary>
    public RedisServer Redis => _redis ?? throw new InvalidOperationException("This cluster runs on a Redis Cluster.");

    /// <summary>The Redis Cluster, when the cluster was started on one.</summary>
    public RedisCluster RedisCluster => _redisCluster ?? throw new InvalidOperationException("This cluster runs on one redis-server.");

    public Uri? NginxAddress { get; private set; }

    public int Count => _instances.Count;

    public static async Task<LocalCluster> StartAsync(int instances, bool nginx = false, IDictionary<string, string>? settings = null,
        bool redisCluster = false)
    {
        var directory = new TempDirectory("e2eechat-cluster");
        var postgres = await PostgresServer.Shared;
        var redis = redisCluster ? null : await RedisServer.StartNewAsync();
        var primaries = redisCluster ? await RedisCluster.StartNewAsync() : null;
        var environment = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = await postgres.CreateDatabaseAsync(),
            ["Auth__SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Redis__Configuration"] = redis?.ConfigurationString ?? primaries!.ConfigurationString,
            ["PasswordHashing__MemoryKiB"] = "8192",
            ["PasswordHashing__Iterations"] = "1",
            ["Logging__LogLevel__Default"] = "Warning",
            // ConnectionCountsAsync and the readiness tests read the instance's name, load and checks.
            ["Health__ShowDetails"] = "true",
        };
        foreach (var bucket in Enum.GetNames<RateLimitBucket>())
        {
            environment[$"RateLimits__{bucket}__PermitLimit"] = "100000";
        }
        foreach (var (key, value) in ClusterCertificates.Create().Settings().Concat(VapidSettings.Create()))
        {
            environment[key] = value;
        }
        if (nginx)
        {
            // As deploy/local-cluster.sh: nginx on loopback is the one proxy whose X-Forwarded-For counts.
            environment["ForwardedHeaders__KnownProxies__0"] = "127.0.0.1";
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var cluster = new LocalCluster(directory, redis, primaries, environment);
        try
        {
            for (var i = 0; i < instances; i++)
            {
                cluster._instances.Add(cluster.StartInstance(i));
            }
            foreach (var instance in cluster._instances)
            {
                await instance!.WaitUntilReadyAsync();
            }
            if (nginx)
            {
                await cluster.StartNginxAsync();
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public ServerProcessHost Instance(int index) => _instances[index] ?? throw new InvalidOperationException($"Instance {index} was killed.");

    public ApiClient Api(int index) => Instance(index).Api();

    public ApiClient NginxApi() => new(new HttpClient { BaseAddress = NginxAddress });

    /// <summary>kill -9 of one instance, as a crash.</summary>
    public void Kill(int index)
    {
        _instances[index]?.Dispose();
        _instances[index] = null;
    }

    /// <summary>How many device connections each live instance holds, read from its /health/ready.</summary>
    public async Task<int[]> ConnectionCountsAsync()
    {
        var counts = new int[_instances.Count];
        for (var i = 0; i < _instances.Count; i++)
        {
            if (_instances[i] is not { } instance)
            {
                counts[i] = -1;
                continue;
            }
            using var api = instance.Api();
            var health = await api.GetAsync("/health/ready");
            counts[i] = health.Body?["connections"]?.GetValue<int>() ?? -1;
        }
        return counts;
    }

    public async Task<JsonNode?> ReadinessAsync(int index)
    {
        using var api = Api(index);
        return (await api.GetAsync("/health/ready")).Body;
    }

    public async ValueTask DisposeAsync()
    {
        _nginx?.Dispose();
        foreach (var instance in _instances)
        {
            instance?.Dispose();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        if (_redisCluster is not null)
        {
            await _redisCluster.DisposeAsync();
        }
        _directory.Dispose();
    }

    private ServerProcessHost StartInstance(int index)
    {
        var workingDirectory = Path.Combine(_directory.Path, $"instance-{index}");
        Directory.CreateDirectory(workingDirectory);
        var environment = new Dictionary<string, string>(_environment) { ["Instance__Name"] = $"instance-{index}" };
        return ServerProcessHost.Start(workingDirectory, environment);
    }

    private async Task StartNginxAsync()
    {
        var runDirectory = Path.Combine(_directory.Path, "nginx");
        var port = FreePort.Next();
        var tlsPort = FreePort.Next();
        List<string> arguments = [RenderScript, runDirectory, $"127.0.0.1:{port}", $"127.0.0.1:{tlsPort}", "/nonexistent.crt", "/nonexistent.key", "least_conn"];
        arguments.AddRange(_instances.Select(i => $"127.0.0.1:{i!.Port}"));
        await ServerProcess.RunAsync("sh", arguments);
        _nginx = ServerProcess.Start("nginx", "nginx",
            ["-c", Path.Combine(runDirectory, "nginx.conf"), "-e", Path.Combine(runDirectory, "error.log"), "-g", "daemon off;"]);
        NginxAddress = new Uri($"http://127.0.0.1:{port}");
        await Wait.UntilAsync(() => FreePort.IsListeningAsync(port), TimeSpan.FromSeconds(20), "nginx to listen");
    }

    /// <summary>The repository's nginx renderer, found by walking up from the test binaries.</summary>
    private static string RenderScript
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "deploy", "render-nginx.sh");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new FileNotFoundException("deploy/render-nginx.sh was not found above the test binaries.");
        }
    }
}
