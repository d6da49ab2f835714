using System.Buffers.Text;
using System.Net;
using E2eeChat.Server.Push;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Storage;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Push;

/// <summary>The VAPID key pair: made by the command, required in cluster mode, checked at start-up; and the egress rule.</summary>
public sealed class PushSetupTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Create_vapid_keys_writes_a_key_pair_the_server_accepts_and_prints_only_the_public_key()
    {
        using var directory = new TempDirectory("e2eechat-vapid");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = PushCommands.Run(["create-vapid-keys", "--out", directory.Path], output, error);
        var again = PushCommands.Run(["create-vapid-keys", "--out", directory.Path], TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exit);
        Assert.Equal(1, again);
        var publicKey = File.ReadAllText(Path.Combine(directory.Path, PushCommands.PublicKeyFile)).Trim();
        var privatePath = Path.Combine(directory.Path, PushCommands.PrivateKeyFile);
        var privateKey = File.ReadAllText(privatePath).Trim();
        Assert.Equal(65, Base64Url.DecodeFromChars(publicKey).Length);
        Assert.Equal(32, Base64Url.DecodeFromChars(privateKey).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privatePath));
        Assert.Contains(publicKey, output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(privateKey, output.ToString() + error, StringComparison.Ordinal);
        var keys = VapidKeys.Resolve(new PushOptions { VapidPublicKey = publicKey, VapidPrivateKey = privateKey },
            new StorageOptions { Provider = StorageProvider.Postgres });
        Assert.Equal(publicKey, keys.PublicKey);
    }

    [Fact]
    public void Halves_of_two_different_key_pairs_are_refused()
    {
        var (publicKey, _) = VapidKeys.Generate();
        var (_, privateKey) = VapidKeys.Generate();

        var refused = Assert.Throws<InvalidOperationException>(() => VapidKeys.Resolve(
            new PushOptions { VapidPublicKey = publicKey, VapidPrivateKey = privateKey }, new StorageOptions()));

        Assert.Contains("are not a P-256 key pair", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_mode_without_vapid_keys_refuses_to_start_and_says_why()
    {
        using var directory = new TempDirectory("e2eechat-cluster");
        var postgres = await PostgresServer.Shared;
        using var server = ServerProcessHost.Start(directory.Path, new Dictionary<string, string>
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = await postgres.CreateDatabaseAsync(),
            ["Auth__SigningKey"] = Convert.ToBase64String(new byte[32]),
        });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await server.WaitForExitAsync(timeout.Token);

        Assert.Contains("Push:VapidPublicKey, Push:VapidPrivateKey and Push:VapidSubject are required in cluster mode", server.Output,
            StringComparison.Ordinal);
        Assert.Contains("push create-vapid-keys", server.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:4700::1111", true)]
    public void Only_public_addresses_are_reached_without_AllowInsecureEndpoints(string address, bool reachable) =>
        Assert.Equal(reachable, PushEgress.IsPublic(IPAddress.Parse(address)));
}
