using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Hosting;

/// <summary>The server as a process: no configuration gives a working single-node server.</summary>
public sealed class EmbeddedDefaultTests
{
    [Fact]
    public async Task Unconfigured_server_creates_its_database_and_key_in_data_and_keeps_them_across_restarts()
    {
        using var directory = new TempDirectory("e2eechat-embedded");
        TestDevice alice;
        using (var first = ServerProcessHost.Start(directory.Path))
        {
            await first.WaitUntilReadyAsync();
            using var api = first.Api();
            alice = await api.SignUpAsync();
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/openapi/v1.json")).Status);
        }

        Assert.True(File.Exists(Path.Combine(directory.Path, "data", "e2eechat.db")));
        Assert.True(File.Exists(Path.Combine(directory.Path, "data", "jwt-signing.key")));

        using var second = ServerProcessHost.Start(directory.Path);
        await second.WaitUntilReadyAsync();
        using var again = second.Api();
        // Same key and same database: the token from the first run is still good.
        var me = await again.GetAsync("/api/v1/auth/me", alice.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.Status);
        Assert.Equal(alice.UserId.ToString(), me.Text("userId"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Unconfigured_server_keeps_its_data_directory_database_and_key_private_to_its_user()
    {
        const UnixFileMode ownerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode ownerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var directory = new TempDirectory("e2eechat-embedded");
        var data = Path.Combine(directory.Path, "data");
        string[] files = ["e2eechat.db", "e2eechat.db-wal", "e2eechat.db-shm", "jwt-signing.key"];
        using (var server = ServerProcessHost.Start(directory.Path))
        {
            await server.WaitUntilReadyAsync();
            using var api = server.Api();
            await api.SignUpAsync();

            Assert.Equal(ownerOnlyDirectory, File.GetUnixFileMode(data));
            Assert.All(files, file => Assert.Equal(ownerOnlyFile, File.GetUnixFileMode(Path.Combine(data, file))));
        }

        // Files an older version left readable to everyone are made private at the next start.
        foreach (var file in files.Where(f => File.Exists(Path.Combine(data, f))))
        {
            File.SetUnixFileMode(Path.Combine(data, file), ownerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        using (var restarted = ServerProcessHost.Start(directory.Path))
        {
            await restarted.WaitUntilReadyAsync();
            Assert.All(files.Where(f => File.Exists(Path.Combine(data, f))),
                file => Assert.Equal(ownerOnlyFile, File.GetUnixFileMode(Path.Combine(data, file))));
        }
    }

    [Fact]
    public async Task Cluster_mode_without_a_signing_key_refuses_to_start_and_says_why()
    {
        using var directory = new TempDirectory("e2eechat-cluster");
        var postgres = await PostgresServer.Shared;
        using var server = ServerProcessHost.Start(directory.Path, new Dictionary<string, string>
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = await postgres.CreateDatabaseAsync(),
        });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await server.WaitForExitAsync(timeout.Token);

        Assert.Contains("Auth:SigningKey is required in cluster mode", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_mode_with_postgres_and_a_key_starts_and_serves()
    {
        using var directory = new TempDirectory("e2eechat-cluster");
        var postgres = await PostgresServer.Shared;
        using var server = ServerProcessHost.Start(directory.Path, new Dictionary<string, string>
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = await postgres.CreateDatabaseAsync(),
            ["Auth__SigningKey"] = Convert.ToBase64String(new byte[32]),
        });
        await server.WaitUntilReadyAsync();
        using var api = server.Api();

        var alice = await api.SignUpAsync();

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/auth/me", alice.AccessToken)).Status);
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "data")));
    }
}
