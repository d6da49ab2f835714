using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Signal.Curve;
using E2eeChat.Testing.Libsignal;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Certificates;

/// <summary>The operator's <c>certificates</c> commands, run as the built server, their output judged by libsignal.</summary>
public sealed class CertificateCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new("e2eechat-certificates");

    private string Out => _directory.Path;

    public void Dispose() => _directory.Dispose();

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task Trust_root_and_server_certificate_made_by_the_commands_are_parsed_and_validated_by_libsignal()
    {
        var root = await RunAsync("create-trust-root", "--out", Out);
        var server = await RunAsync("create-server-certificate", "--trust-root-key", File("trust-root.key"), "--key-id", "42", "--out", Out);

        var trustRoot = Read("trust-root.pub");
        var certificate = Read("server-certificate");
        var serverPrivateKey = Read("server-certificate.key");
        var parsed = await LibsignalOracle.ServerCertificateAsync(certificate, trustRoot);
        var underOtherRoot = await LibsignalOracle.ServerCertificateAsync(certificate, Curve25519KeyPair.Generate().PublicKey);
        var issues = await LibsignalOracle.IssuesValidSenderCertificateAsync(certificate, serverPrivateKey, trustRoot,
            Curve25519KeyPair.Generate().PublicKey, DateTimeOffset.UtcNow);

        Assert.Equal(0, root.ExitCode);
        Assert.Equal(0, server.ExitCode);
        Assert.Equal(42, parsed["keyId"]!.GetValue<int>());
        Assert.Equal(Convert.ToBase64String(Curve25519KeyPair.FromPrivateKey(serverPrivateKey).PublicKey), parsed["key"]!.GetValue<string>());
        Assert.True(parsed["signedByTrustRoot"]!.GetValue<bool>());
        Assert.False(underOtherRoot["signedByTrustRoot"]!.GetValue<bool>());
        Assert.True(issues, "libsignal's own SenderCertificate.new with this certificate and key validates under the trust root");
        // Public keys are printed; private keys only ever go to files that no one else may read.
        Assert.Contains(Convert.ToBase64String(trustRoot), root.Output, StringComparison.Ordinal);
        Assert.Contains(Convert.ToBase64String(trustRoot), server.Output, StringComparison.Ordinal);
        foreach (var secret in new[] { Read("trust-root.key"), serverPrivateKey })
        {
            Assert.DoesNotContain(Convert.ToBase64String(secret), root.Output + server.Output, StringComparison.Ordinal);
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(File("trust-root.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(File("server-certificate.key")));
    }

    [Fact]
    public async Task A_server_configured_with_the_commands_output_issues_certificates_libsignal_validates_with_that_trust_root()
    {
        await RunAsync("create-trust-root", "--out", Out);
        await RunAsync("create-server-certificate", "--trust-root-key", File("trust-root.key"), "--key-id", "7", "--out", Out);
        using var serverDirectory = new TempDirectory("e2eechat-configured");
        using var host = ServerProcessHost.Start(serverDirectory.Path, new Dictionary<string, string>
        {
            ["PasswordHashing__MemoryKiB"] = "8192",
            ["PasswordHashing__Iterations"] = "1",
            ["Certificates__TrustRoot"] = System.IO.File.ReadAllText(File("trust-root.pub")),
            ["Certificates__ServerCertificate"] = System.IO.File.ReadAllText(File("server-certificate")),
            ["Certificates__ServerPrivateKey"] = System.IO.File.ReadAllText(File("server-certificate.key")),
        });
        await host.WaitUntilReadyAsync();
        using var api = host.Api();
        var alice = await api.SignUpAsync();

        var response = await api.GetAsync("/api/v1/certificate/delivery", alice.AccessToken);
        var certificate = await LibsignalOracle.SenderCertificateAsync(
            Convert.FromBase64String(response.Text("certificate")), Read("trust-root.pub"), DateTimeOffset.UtcNow);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(certificate["valid"]!.GetValue<bool>());
        Assert.Equal(7, certificate["serverKeyId"]!.GetValue<int>());
        Assert.False(Directory.Exists(Path.Combine(serverDirectory.Path, "data", "sealed-sender")), "configured: nothing generated");
    }

    [Fact]
    public async Task Commands_never_overwrite_a_key_and_refuse_reserved_key_ids_and_bad_usage()
    {
        await RunAsync("create-trust-root", "--out", Out);
        var key = System.IO.File.ReadAllText(File("trust-root.key"));

        var again = await RunAsync("create-trust-root", "--out", Out);
        var revoked = await RunAsync("create-server-certificate", "--trust-root-key", File("trust-root.key"), "--key-id", "3735929687", "--out", Out);
        var noKeyId = await RunAsync("create-server-certificate", "--trust-root-key", File("trust-root.key"));
        var unknown = await RunAsync("create-everything");

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Output, StringComparison.Ordinal);
        Assert.Equal(key, System.IO.File.ReadAllText(File("trust-root.key")));
        Assert.Equal(2, revoked.ExitCode);
        Assert.Contains("reserved", revoked.Output, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(File("server-certificate")));
        Assert.Equal(2, noKeyId.ExitCode);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("Usage:", unknown.Output, StringComparison.Ordinal);
    }

    private string File(string name) => Path.Combine(Out, name);

    private byte[] Read(string name) => Convert.FromBase64String(System.IO.File.ReadAllText(File(name)).Trim());

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerProcessHost.ServerAssembly);
        info.ArgumentList.Add("certificates");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
