using System.Net;
using System.Runtime.Versioning;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Certificates;
using E2eeChat.Testing.Libsignal;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;
using E2eeChat.Testing.Push;
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
    [SupportedOSPlatform("linux")]
    public async Task Unconfigured_server_makes_its_sealed_sender_trust_root_in_data_logs_its_public_key_and_keeps_it()
    {
        using var directory = new TempDirectory("e2eechat-embedded");
        var certificates = Path.Combine(directory.Path, "data", "sealed-sender");
        string trustRoot, firstOutput;
        using (var first = ServerProcessHost.Start(directory.Path))
        {
            await first.WaitUntilReadyAsync();
            using var api = first.Api();
            var alice = await api.SignUpAsync();
            trustRoot = (await api.GetAsync("/api/v1/certificate/trust-root", alice.AccessToken)).Text("publicKey");
            firstOutput = first.Output;
        }

        using var second = ServerProcessHost.Start(directory.Path);
        await second.WaitUntilReadyAsync();
        using var again = second.Api();
        var bob = await again.SignUpAsync();
        var trustRootAfterRestart = (await again.GetAsync("/api/v1/certificate/trust-root", bob.AccessToken)).Text("publicKey");
        var certificate = (await again.GetAsync("/api/v1/certificate/delivery", bob.AccessToken)).Text("certificate");
        var validated = await LibsignalOracle.SenderCertificateAsync(
            Convert.FromBase64String(certificate), Convert.FromBase64String(trustRoot), DateTimeOffset.UtcNow);

        Assert.Equal(trustRoot, File.ReadAllText(Path.Combine(certificates, "trust-root.pub")).Trim());
        Assert.Equal(trustRoot, trustRootAfterRestart);
        Assert.True(validated["valid"]!.GetValue<bool>());
        Assert.Contains($"trust root public key {trustRoot}", firstOutput, StringComparison.Ordinal);
        foreach (var secret in new[] { "trust-root.key", "server-certificate.key" })
        {
            var path = Path.Combine(certificates, secret);
            Assert.DoesNotContain(File.ReadAllText(path).Trim(), firstOutput + second.Output, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Unconfigured_server_keeps_its_data_directory_database_and_key_private_to_its_user()
    {
        const UnixFileMode ownerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode ownerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var directory = new TempDirectory("e2eechat-embedded");
        var data = Path.Combine(directory.Path, "data");
        string[] files = ["e2eechat.db", "e2eechat.db-wal", "e2eechat.db-shm", "jwt-signing.key", "vapid.pem"];
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
    public async Task Cluster_mode_without_certificates_refuses_to_start_and_says_why()
    {
        using var directory = new TempDirectory("e2eechat-cluster");
        var postgres = await PostgresServer.Shared;
        using var server = ServerProcessHost.Start(directory.Path, new Dictionary<string, string>(VapidSettings.Create())
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = await postgres.CreateDatabaseAsync(),
            ["Auth__SigningKey"] = Convert.ToBase64String(new byte[32]),
        });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await server.WaitForExitAsync(timeout.Token);

        Assert.Contains("Certificates:TrustRoot, Certificates:ServerCertificate and Certificates:ServerPrivateKey are required in cluster mode",
            server.Output, StringComparison.Ordinal);
        Assert.Contains("certificates create-trust-root", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_certificate_from_another_trust_root_refuses_to_start_and_says_why()
    {
        using var directory = new TempDirectory("e2eechat-mismatch");
        var certificates = ClusterCertificates.Create();
        var otherRoot = ClusterCertificates.Create().TrustRoot;
        using var server = ServerProcessHost.Start(directory.Path, new Dictionary<string, string>
        {
            ["Certificates__TrustRoot"] = Convert.ToBase64String(otherRoot),
            ["Certificates__ServerCertificate"] = Convert.ToBase64String(certificates.ServerCertificate),
            ["Certificates__ServerPrivateKey"] = Convert.ToBase64String(certificates.ServerPrivateKey),
        });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await server.WaitForExitAsync(timeout.Token);

        Assert.Contains("is not signed by the trust root", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(certificates.ServerPrivateKey), server.Output, StringComparison.Ordinal);
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
    public async Task Password_hashing_with_two_lanes_refuses_to_start_and_says_why()
    {
        using var directory = new TempDirectory("e2eechat-embedded");
        using var server = ServerProcessHost.Start(directory.Path, new Dictionary<string, string>
        {
            ["PasswordHashing__Parallelism"] = "2",
        });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await server.WaitForExitAsync(timeout.Token);

        Assert.Contains("PasswordHashing:Parallelism must be 1, as libsodium computes Argon2id with one lane", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_mode_with_postgres_a_key_and_certificates_starts_and_serves()
    {
        using var directory = new TempDirectory("e2eechat-cluster");
        var certificates = ClusterCertificates.Create();
        var postgres = await PostgresServer.Shared;
        using var server = ServerProcessHost.Start(directory.Path, new Dictionary<string, string>(VapidSettings.Create())
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = await postgres.CreateDatabaseAsync(),
            ["Auth__SigningKey"] = Convert.ToBase64String(new byte[32]),
            ["Certificates__TrustRoot"] = Convert.ToBase64String(certificates.TrustRoot),
            ["Certificates__ServerCertificate"] = Convert.ToBase64String(certificates.ServerCertificate),
            ["Certificates__ServerPrivateKey"] = Convert.ToBase64String(certificates.ServerPrivateKey),
        });
        await server.WaitUntilReadyAsync();
        using var api = server.Api();

        var alice = await api.SignUpAsync();

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/auth/me", alice.AccessToken)).Status);
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "data")));
        var trustRoot = await api.GetAsync("/api/v1/certificate/trust-root", alice.AccessToken);
        Assert.Equal(Convert.ToBase64String(certificates.TrustRoot), trustRoot.Text("publicKey"));
    }
}
