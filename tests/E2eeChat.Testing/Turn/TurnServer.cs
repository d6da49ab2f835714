using System.Globalization;
using E2eeChat.Testing.Processes;

namespace E2eeChat.Testing.Turn;

/// <summary>
/// Debian's coturn (<c>turnserver</c>) with the TURN REST API's shared secret (<c>use-auth-secret</c>), on a free
/// loopback port, relaying on loopback; and its <c>turnutils_uclient</c> to allocate relays through it.
/// </summary>
public sealed class TurnServer : IDisposable
{
    private const string Binary = "/usr/bin/turnserver";
    private const string ClientBinary = "/usr/bin/turnutils_uclient";

    private readonly TempDirectory _directory;
    private readonly ServerProcess _process;

    private TurnServer(TempDirectory directory, ServerProcess process, int port, string secret)
    {
        _directory = directory;
        _process = process;
        Port = port;
        Secret = secret;
    }

    public int Port { get; }

    public string Secret { get; }

    /// <summary>The URL clients are given, e.g. <c>turn:127.0.0.1:3478?transport=udp</c>.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"turn:127.0.0.1:{Port}?transport=udp");

    public string Output => _process.Output;

    public static async Task<TurnServer> StartAsync(string secret)
    {
        if (!File.Exists(Binary) || !File.Exists(ClientBinary))
        {
            throw new InvalidOperationException(
                "coturn is not installed: run the README's test command (it installs Debian's coturn).");
        }
        var directory = new TempDirectory("e2eechat-turn");
        var port = FreePort.Next();
        // Relay ports from a range of their own, so that parallel runs rarely meet.
        var relayBase = 50_000 + (Random.Shared.Next(0, 150) * 100);
        var process = ServerProcess.Start("turnserver", Binary,
        [
            "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", $"--listening-port={port}",
            $"--min-port={relayBase}", $"--max-port={relayBase + 99}",
            "--use-auth-secret", $"--static-auth-secret={secret}", "--realm=e2eechat.test",
            "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers", "--fingerprint",
            "--log-file=stdout", "--simple-log",
            $"--pidfile={Path.Combine(directory.Path, "turnserver.pid")}",
            $"--userdb={Path.Combine(directory.Path, "turndb")}",
        ]);
        var server = new TurnServer(directory, process, port, secret);
        try
        {
            await Wait.UntilAsync(async () => process.HasExited
                    ? throw new InvalidOperationException($"turnserver exited:{Environment.NewLine}{process.Output}")
                    : await FreePort.IsListeningAsync(port).ConfigureAwait(false),
                TimeSpan.FromSeconds(20), "turnserver to listen").ConfigureAwait(false);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    /// <summary>
    /// Allocates a relay with <paramref name="username"/> and <paramref name="password"/> and sends a few packets
    /// through it (<c>turnutils_uclient</c>). True when the allocation and the round trips succeeded.
    /// </summary>
    public async Task<(bool Allocated, string Output)> AllocateAsync(string username, string password)
    {
        using var client = ServerProcess.Start("turnutils_uclient", ClientBinary,
            ["-u", username, "-w", password, "-p", Port.ToString(CultureInfo.InvariantCulture), "-n", "2", "-m", "1", "-y",
             "-e", "127.0.0.1", "127.0.0.1"]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await client.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        return (client.ExitCode == 0, client.Output);
    }

    public void Dispose()
    {
        _process.Dispose();
        _directory.Dispose();
    }
}
