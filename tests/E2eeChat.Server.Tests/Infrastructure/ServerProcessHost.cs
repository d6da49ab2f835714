using E2eeChat.Testing.Processes;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>The built server started as its own process, as an operator would run it.</summary>
public sealed class ServerProcessHost : IDisposable
{
    private readonly ServerProcess _process;

    private ServerProcessHost(ServerProcess process, int port)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    public bool OutputTruncated => _process.OutputTruncated;

    public static string ServerAssembly => typeof(Program).Assembly.Location;

    public static ServerProcessHost Start(string workingDirectory, IDictionary<string, string>? environment = null, int? port = null)
    {
        var chosen = port ?? FreePort.Next();
        var process = ServerProcess.Start("e2eechat", "dotnet",
            [ServerAssembly, "--urls", $"http://127.0.0.1:{chosen}"], workingDirectory: workingDirectory, environment: environment);
        return new ServerProcessHost(process, chosen);
    }

    public Task WaitUntilReadyAsync() => _process.WaitUntilReadyAsync(BaseAddress);

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGTERM, then waits for the exit and the end of the output (see <see cref="ServerProcess.StopAsync"/>).</summary>
    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(30));

    public ApiClient Api() => new(new HttpClient { BaseAddress = BaseAddress });

    public void Dispose() => _process.Dispose();
}
