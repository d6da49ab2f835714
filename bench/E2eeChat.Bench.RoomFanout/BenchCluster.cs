using System.Security.Cryptography;
using E2eeChat.Server.Limits;
using E2eeChat.Testing.Certificates;
using E2eeChat.Testing.Push;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;

namespace E2eeChat.Bench.RoomFanout;

/// <summary>
/// A durable PostgreSQL (fsync on) and one server process in cluster mode against it, as an operator runs them.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly PostgresServer _postgres;
    private readonly ServerProcess _server;
    private readonly TempDirectory _directory;

    private BenchCluster(PostgresServer postgres, ServerProcess server, TempDirectory directory, Uri baseAddress)
    {
        _postgres = postgres;
        _server = server;
        _directory = directory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<BenchCluster> StartAsync(BenchOptions options)
    {
        var postgres = await PostgresServer.StartAsync(durable: true);
        var directory = new TempDirectory("e2eechat-bench");
        var port = FreePort.Next();
        var environment = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = await postgres.CreateDatabaseAsync(),
            ["Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Rooms__MaxMembers"] = options.Users.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Set-up signs in every device; neither hashing cost nor rate limits are what this measures.
            ["PasswordHashing__MemoryKiB"] = "8192",
            ["PasswordHashing__Iterations"] = "1",
            ["Auth__AccessTokenLifetime"] = "12:00:00",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        foreach (var bucket in Enum.GetNames<RateLimitBucket>())
        {
            environment[$"RateLimits__{bucket}__PermitLimit"] = "100000";
        }
        foreach (var (key, value) in ClusterCertificates.Create().Settings().Concat(VapidSettings.Create()))
        {
            environment[key] = value;
        }
        var server = ServerProcess.Start("e2eechat", "dotnet",
            [typeof(global::Program).Assembly.Location, "--urls", $"http://127.0.0.1:{port}"], workingDirectory: directory.Path,
            environment: environment);
        var cluster = new BenchCluster(postgres, server, directory, new Uri($"http://127.0.0.1:{port}"));
        await server.WaitUntilReadyAsync(cluster.BaseAddress);
        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        _server.Dispose();
        await _postgres.DisposeAsync();
        _directory.Dispose();
    }
}
