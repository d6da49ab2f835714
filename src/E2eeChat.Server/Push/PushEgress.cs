using System.Net;
using System.Net.Sockets;

namespace E2eeChat.Server.Push;

/// <summary>
/// The HTTP client for push services and gateways. Their URLs come from clients, so this is a server-side request a
/// client aims (SSRF): it follows no redirect, sends no cookie, reads at most a small answer, and, unless
/// <see cref="PushOptions.AllowInsecureEndpoints"/>, connects only to public addresses, checked on the address it
/// actually connects to (so a DNS answer that changes between checks cannot lead it inside).
/// </summary>
internal static class PushEgress
{
    private const int MaxAnswerBytes = 64 * 1024;

    public static HttpClient Create(PushOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (!options.AllowInsecureEndpoints)
        {
            handler.ConnectCallback = ConnectToPublicAddressAsync;
        }
        return new HttpClient(handler) { Timeout = options.RequestTimeout, MaxResponseContentBufferSize = MaxAnswerBytes };
    }

    /// <summary>False for loopback, private, link-local, shared (CGNAT), unique-local, multicast and unspecified addresses.</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 or 10 or 127 or >= 224 => false,
                100 => b[1] is < 64 or > 127,
                169 => b[1] != 254,
                172 => b[1] is < 16 or > 31,
                192 => b[1] != 168 && !(b[1] == 0 && b[2] == 0),
                _ => true,
            };
        }
        var bytes = address.GetAddressBytes();
        return !address.IsIPv6LinkLocal && !address.IsIPv6SiteLocal && !address.IsIPv6Multicast && (bytes[0] & 0xFE) != 0xFC;
    }

    private static async ValueTask<Stream> ConnectToPublicAddressAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            if (!IsPublic(address))
            {
                continue;
            }
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                last = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw new HttpRequestException($"{endpoint.Host} has no public address this server could connect to.", last);
    }
}
