using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace E2eeChat.Testing.Processes;

/// <summary>
/// Finds a loopback TCP port that nothing listens on right now, below Linux's ephemeral range (32768–60999 unless the
/// machine says otherwise), as the bench scripts' <c>free_port</c> does. A port the kernel hands out for "any port"
/// comes from that range, where any outgoing connection (to PostgreSQL, Redis, a test server) may take it before the
/// process it was chosen for binds it: a CI run failed on "address already in use" that way. One process never gets
/// the same port twice.
/// </summary>
public static class FreePort
{
    private const int First = 20000;
    private const int LinuxEphemeralStart = 32768;
    private static readonly int End = EphemeralStart();
    private static readonly HashSet<int> Given = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(First, End);
            lock (Gate)
            {
                if (!Given.Add(port))
                {
                    continue;
                }
            }
            if (CanListenOn(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port from {First} to {End - 1} in 1000 tries.");
    }

    public static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool CanListenOn(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the kernel's ephemeral range, or Linux's default where it cannot be read.</summary>
    private static int EphemeralStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return range.Length > 0 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                && start > First + 1000
                ? start
                : LinuxEphemeralStart;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return LinuxEphemeralStart;
        }
    }
}
