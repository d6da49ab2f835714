using System.Globalization;
using E2eeChat.Testing.Processes;

namespace E2eeChat.Testing.Redis;

/// <summary>
/// Debian's <c>redis-server</c> on a free loopback port in its own temp directory, without persistence. It can be
/// stopped (a graceful SIGTERM) and started again on the same port, which is how outage tests cut the link.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/redis-server";
    private readonly bool _clusterNode;
    private readonly TempDirectory _directory = new("e2eechat-redis");
    private ServerProcess? _process;

    private RedisServer(bool clusterNode)
    {
        _clusterNode = clusterNode;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _process?.Kill();
    }

    public int Port { get; } = FreePort.Next();

    // A cluster node's bus port would be Port + 10000, past 65535 for many free ports: it gets its own.
    private int BusPort { get; } = FreePort.Next();

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>For StackExchange.Redis: <c>127.0.0.1:port</c>.</summary>
    public string ConfigurationString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Output => _process?.Output ?? "";

    public static Task<RedisServer> StartNewAsync() => StartNewAsync(clusterNode: false);

    /// <summary>A node for <see cref="RedisCluster"/>: <c>--cluster-enabled yes</c>, not yet part of a cluster.</summary>
    internal static async Task<RedisServer> StartNewAsync(bool clusterNode)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException(
                "redis-server is not installed: run the README's test command (it installs Debian's redis-server).");
        }
        var server = new RedisServer(clusterNode);
        await server.StartAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Starts the server, or starts it again on the same port after <see cref="StopAsync"/>.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"redis-server is already running on port {Port}.");
        }
        _process?.Dispose();
        List<string> arguments =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory.Path,
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
        ];
        if (_clusterNode)
        {
            arguments.AddRange(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
                "--cluster-port", BusPort.ToString(CultureInfo.InvariantCulture)]);
        }
        var process = ServerProcess.Start("redis-server", Binary, arguments);
        _process = process;
        await Wait.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited during start:{Environment.NewLine}{process.Output}");
            }
            return await FreePort.IsListeningAsync(Port).ConfigureAwait(false);
        }, TimeSpan.FromSeconds(30), $"redis-server to listen on port {Port}").ConfigureAwait(false);
    }

    /// <summary>Stops the server gracefully and waits until its port is free for the next start.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            await ServerProcess.RunAsync("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        await Wait.UntilAsync(async () => !await FreePort.IsListeningAsync(Port).ConfigureAwait(false),
            TimeSpan.FromSeconds(20), $"redis-server to stop listening on port {Port}").ConfigureAwait(false);
    }

    /// <summary>Runs <c>redis-cli</c> against this server and returns what it printed.</summary>
    public Task<string> CliAsync(params string[] arguments) =>
        ServerProcess.RunAsync("/usr/bin/redis-cli", ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), .. arguments]);

    public ValueTask DisposeAsync()
    {
        _process?.Dispose();
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
