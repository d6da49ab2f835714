using E2eeChat.Testing.Processes;

namespace E2eeChat.Testing.Redis;

/// <summary>
/// Debian's <c>redis-server</c>, without persistence (<c>--save '' --appendonly no</c>).
/// <see cref="RespServer.StopAsync"/> is a graceful SIGTERM, so it exercises a server going away cleanly.
/// </summary>
public sealed class RedisServer : RespServer
{
    private const string Binary = "/usr/bin/redis-server";

    private RedisServer(string? password)
        : base("redis-server", password)
    {
    }

    public static async Task<RedisServer> StartNewAsync(string? password = null)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException(
                "redis-server is not installed: run the README's test command (it installs Debian's redis-server).");
        }
        var server = new RedisServer(password);
        await server.StartAsync().ConfigureAwait(false);
        return server;
    }

    public override async Task StopAsync()
    {
        if (Process is { HasExited: false } process)
        {
            await ServerProcess.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
                .ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        await WaitUntilPortIsClosedAsync().ConfigureAwait(false);
    }

    protected override Task<ServerProcess> LaunchAsync()
    {
        List<string> arguments =
        [
            "--port", PortText, "--bind", "127.0.0.1", "--dir", Directory.Path,
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
        ];
        if (Password is not null)
        {
            arguments.AddRange(["--requirepass", Password]);
        }
        return Task.FromResult(ServerProcess.Start("redis-server", Binary, arguments));
    }
}
