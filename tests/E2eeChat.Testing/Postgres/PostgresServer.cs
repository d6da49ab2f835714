using E2eeChat.Testing.Processes;
using Npgsql;

namespace E2eeChat.Testing.Postgres;

/// <summary>
/// A real PostgreSQL server from Debian's package: initdb into a temp directory,
/// started on a free loopback port, as the <c>postgres</c> user when we are root.
/// One server per test process (<see cref="Shared"/>); each test class asks it for a fresh database. A server of a
/// test's own can be stopped as a crash stops it (<see cref="StopAsync"/>) and started again on the same data and port.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string SystemUser = "postgres";
    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(() => StartAsync());
    private static readonly Lazy<bool> LeftoversRemoved = new(() =>
    {
        AbandonedServers.Remove();
        return true;
    });
    private static int _databaseCounter;
    private int _stopped;

    private readonly TempDirectory _directory;
    private readonly string _binDirectory;
    private readonly List<string> _arguments;
    private ServerProcess _process = null!;

    private PostgresServer(TempDirectory directory, string binDirectory, List<string> arguments, int port)
    {
        _directory = directory;
        _binDirectory = binDirectory;
        _arguments = arguments;
        Port = port;
    }

    private static string? RunAs => Environment.UserName == "root" ? SystemUser : null;

    private string DataDirectory => Path.Combine(_directory.Path, "data");

    public int Port { get; }

    /// <summary>Superuser connection string to the <c>postgres</c> database.</summary>
    public string AdminConnectionString => ConnectionStringFor("postgres");

    /// <summary>The server shared by every test in this process; stopped when the process exits.</summary>
    public static Task<PostgresServer> Shared => SharedServer.Value;

    /// <summary>
    /// A server of its own. <paramref name="durable"/>: flushed to disk as in production. Otherwise nothing is flushed, and
    /// <paramref name="crashSafe"/> still answers a commit only once its WAL is written to the operating system, so that a
    /// crash of PostgreSQL's own processes (<see cref="StopAsync"/>) loses nothing that was answered.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(bool durable = false, bool crashSafe = false)
    {
        var binDirectory = FindBinDirectory();
        _ = LeftoversRemoved.Value;
        var directory = new TempDirectory(AbandonedServers.DirectoryPrefix);
        AbandonedServers.MarkOwned(directory.Path);
        var dataDirectory = Path.Combine(directory.Path, "data");
        var socketDirectory = Path.Combine(directory.Path, "socket");
        Directory.CreateDirectory(socketDirectory);
        if (Environment.UserName == "root")
        {
            await ServerProcess.RunAsync("chown", ["-R", $"{SystemUser}:{SystemUser}", directory.Path]).ConfigureAwait(false);
        }
        await ServerProcess.RunAsync(Path.Combine(binDirectory, "initdb"),
            ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"], RunAs).ConfigureAwait(false);

        var port = FreePort.Next();
        List<string> arguments =
        [
            "-D", dataDirectory, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", socketDirectory, "-h", "127.0.0.1", "-c", "max_connections=300",
        ];
        if (!durable)
        {
            // Test data is thrown away: skip the disk flushes that only protect it from power loss.
            arguments.AddRange(["-c", "fsync=off", "-c", "full_page_writes=off"]);
            if (!crashSafe)
            {
                arguments.AddRange(["-c", "synchronous_commit=off"]);
            }
        }
        var server = new PostgresServer(directory, binDirectory, arguments, port);
        await server.StartProcessAsync().ConfigureAwait(false);
        // At exit there may be little time left (the test runner kills a host that is slow to end): a kill, not pg_ctl.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop(quickly: true);
        return server;
    }

    /// <summary>
    /// Stops the server as a crash does (<c>pg_ctl stop -m immediate</c>): every backend dies at once, in-flight
    /// transactions with it; what committed is in the WAL. The data directory and port stay for <see cref="StartAgainAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        await ServerProcess.RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "immediate", "-w"],
            RunAs, TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(exited.Token).ConfigureAwait(false);
    }

    /// <summary>Starts the server again after <see cref="StopAsync"/>: crash recovery on the same data, the same port.</summary>
    public async Task StartAgainAsync()
    {
        if (!_process.HasExited)
        {
            throw new InvalidOperationException($"postgres is still running on port {Port}.");
        }
        _process.Dispose();
        await StartProcessAsync().ConfigureAwait(false);
    }

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,
            MaxPoolSize = 100,
        }.ConnectionString;

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Environment.ProcessId}_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid():N}"[..40];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        return ConnectionStringFor(name);
    }

    public async ValueTask DisposeAsync()
    {
        Stop(quickly: false);
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private void Stop(bool quickly)
    {
        // Runs from DisposeAsync and again at process exit.
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        if (quickly)
        {
            _process.Kill();
        }
        else if (!_process.HasExited)
        {
            try
            {
                ServerProcess.RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
                    ["stop", "-D", DataDirectory, "-m", "immediate", "-w"], RunAs,
                    TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
            }
            catch (InvalidOperationException)
            {
                // Fall through to a kill below.
            }
        }
        _process.Dispose();
        _directory.Dispose();
    }

    private async Task StartProcessAsync()
    {
        var process = ServerProcess.Start("postgres", Path.Combine(_binDirectory, "postgres"), _arguments, RunAs);
        _process = process;
        await Wait.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"postgres exited during start:{Environment.NewLine}{process.Output}");
            }
            return await CanQueryAsync().ConfigureAwait(false);
        }, TimeSpan.FromSeconds(60), "postgres to accept connections").ConfigureAwait(false);
    }

    private async Task<bool> CanQueryAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString + ";Pooling=false;Timeout=2");
            await connection.OpenAsync().ConfigureAwait(false);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private static string FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var newest = Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }
        throw new InvalidOperationException(
            "PostgreSQL is not installed: run the README's test command (it installs Debian's postgresql).");
    }
}
