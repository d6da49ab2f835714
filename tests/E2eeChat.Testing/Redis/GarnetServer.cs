using E2eeChat.Testing.Processes;

namespace E2eeChat.Testing.Redis;

/// <summary>
/// Microsoft Garnet, the repo-local dotnet tool <c>garnet-server</c> (.config/dotnet-tools.json),
/// started with Lua enabled and a small memory budget. <see cref="RespServer.StopAsync"/> kills it:
/// <c>dotnet tool run</c> does not pass SIGTERM on to the server it starts.
/// </summary>
public sealed class GarnetServer : RespServer
{
    // Once per test process: brings the tool on a fresh machine, a no-op when it is there.
    private static readonly Lazy<Task> ToolRestore = new(() =>
        ServerProcess.RunAsync("dotnet", ["tool", "restore", "--tool-manifest", ToolManifest], timeout: TimeSpan.FromMinutes(5)));

    private GarnetServer(string? password)
        : base("garnet-server", password)
    {
    }

    private static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string ToolManifest => Path.Combine(RepositoryRoot, ".config", "dotnet-tools.json");

    public static async Task<GarnetServer> StartNewAsync(string? password = null)
    {
        await ToolRestore.Value.ConfigureAwait(false);
        var server = new GarnetServer(password);
        await server.StartAsync().ConfigureAwait(false);
        return server;
    }

    protected override TimeSpan StartTimeout => TimeSpan.FromSeconds(60);

    protected override Task<ServerProcess> LaunchAsync()
    {
        List<string> arguments =
        [
            "tool", "run", "garnet-server", "--",
            "--port", PortText, "--bind", "127.0.0.1", "--lua",
            // The default log memory is 16 GB; tests need a sliver of it.
            "--memory", "64m", "--index", "1m",
        ];
        if (Password is not null)
        {
            arguments.AddRange(["--auth", "Password", "--password", Password]);
        }
        return Task.FromResult(ServerProcess.Start("garnet-server", "dotnet", arguments, workingDirectory: RepositoryRoot));
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, ".config", "dotnet-tools.json")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException(
            "No .config/dotnet-tools.json above the test binaries: cannot find the garnet-server tool.");
    }
}
