using E2eeChat.LoadTest.Api;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Infrastructure;

/// <summary>
/// The built server, started as its own process on SQLite in a temp directory, as the bench scripts
/// start it: the rate limits a load run draws on raised and password hashing cheapened, because a load run creates
/// all its accounts from one address and measures messaging, not sign-up.
/// </summary>
public class LoadTestServer : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("e2eechat-loadtest");
    private ServerProcess? _process;

    public Uri BaseAddress { get; private set; } = null!;

    public int ProcessId => _process!.Id;

    public string Output => _process?.Output ?? "";

    /// <summary>Where a run's result files go: a fresh directory under this server's temp directory.</summary>
    public string NewOutputDirectory() => Path.Combine(_directory.Path, "results", Guid.NewGuid().ToString("N"));

    protected virtual Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>
        {
            ["PasswordHashing__MemoryKiB"] = "8192",
            ["PasswordHashing__Iterations"] = "1",
            ["Storage__SqlitePath"] = Path.Combine(_directory.Path, "e2eechat.db"),
        };
        // The settings the tool itself tells operators to use, so that a bucket missing from them fails these tests.
        foreach (var setting in RateLimitHint.ServerEnvironment)
        {
            var parts = setting.Split('=', 2);
            environment[parts[0]] = parts[1];
        }
        return environment;
    }

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        var serverAssembly = typeof(E2eeChat.Server.Hosting.E2eeChatServices).Assembly.Location;
        _process = ServerProcess.Start("e2eechat", "dotnet", [serverAssembly, "--urls", BaseAddress.ToString().TrimEnd('/')],
            workingDirectory: _directory.Path, environment: Environment());
        await _process.WaitUntilReadyAsync(BaseAddress, TimeSpan.FromSeconds(60));
    }

    public Task DisposeAsync()
    {
        _process?.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>A server with a sign-up limit a load run cannot live with, as an operator's default setup would have.</summary>
public sealed class RateLimitedServer : LoadTestServer
{
    protected override Dictionary<string, string> Environment()
    {
        var environment = base.Environment();
        environment["RateLimits__SignupPerIp__PermitLimit"] = "2";
        return environment;
    }
}
