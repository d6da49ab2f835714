using System.Globalization;
using E2eeChat.Testing.Processes;

namespace E2eeChat.Testing.Redis;

/// <summary>
/// A real server that speaks RESP, on a free loopback port in its own temp directory. It can
/// be stopped and started again on the same port, which is how reconnect tests cut the link.
/// </summary>
public abstract class RespServer : IAsyncDisposable
{
    private ServerProcess? _process;

    protected RespServer(string name, string? password)
    {
        Name = name;
        Password = password;
        Port = FreePort.Next();
        Directory = new TempDirectory($"e2eechat-{name}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _process?.Kill();
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>The password the server demands (requirepass), or null when it demands none.</summary>
    public string? Password { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>For <c>RedisOptions.Parse</c>: <c>127.0.0.1:port[,password=...]</c>.</summary>
    public string ConfigurationString =>
        $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}" + (Password is null ? "" : $",password={Password}");

    public string Output => _process?.Output ?? "";

    protected TempDirectory Directory { get; }

    protected string PortText => Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Starts the server, or starts it again on the same port after <see cref="StopAsync"/>.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running on port {Port}.");
        }
        _process?.Dispose();
        var process = await LaunchAsync().ConfigureAwait(false);
        _process = process;
        await Wait.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited during start:{Environment.NewLine}{process.Output}");
            }
            return await FreePort.IsListeningAsync(Port).ConfigureAwait(false);
        }, StartTimeout, $"{Name} to listen on port {Port}").ConfigureAwait(false);
    }

    /// <summary>Stops the server and waits until its port is free for the next start.</summary>
    public virtual async Task StopAsync()
    {
        Kill();
        await WaitUntilPortIsClosedAsync().ConfigureAwait(false);
    }

    /// <summary>Kills the server at once, like a crash.</summary>
    public void Kill() => _process?.Kill();

    public async ValueTask DisposeAsync()
    {
        _process?.Dispose();
        Directory.Dispose();
        GC.SuppressFinalize(this);
        await Task.CompletedTask.ConfigureAwait(false);
    }

    protected virtual TimeSpan StartTimeout => TimeSpan.FromSeconds(30);

    protected ServerProcess? Process => _process;

    protected abstract Task<ServerProcess> LaunchAsync();

    protected Task WaitUntilPortIsClosedAsync() =>
        Wait.UntilAsync(async () => !await FreePort.IsListeningAsync(Port).ConfigureAwait(false),
            TimeSpan.FromSeconds(20), $"{Name} to stop listening on port {Port}");
}
