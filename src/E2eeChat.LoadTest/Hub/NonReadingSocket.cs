using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace E2eeChat.LoadTest.Hub;

/// <summary>
/// A hub connection whose client stops reading at the TCP level: a raw WebSocket that completes the SignalR
/// handshake (JSON) and then only sends pings, never receiving; its socket's receive buffer is small, so what the
/// server sends backs up into the server. It notices the server closed it when a ping fails.
/// </summary>
internal sealed class NonReadingSocket : IDisposable
{
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");
    private readonly ClientWebSocket _socket;

    private NonReadingSocket(ClientWebSocket socket)
    {
        _socket = socket;
    }

    public bool Closed { get; private set; }

    /// <summary>One handler for every non-reading socket of a run: each TCP connection it opens has a 4 KiB receive buffer.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public static async Task<NonReadingSocket> OpenAsync(Uri baseUrl, string accessToken, HttpMessageInvoker invoker,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var url = new UriBuilder(new Uri(baseUrl, HubEndpoint.Path))
        {
            Scheme = baseUrl.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
            Query = $"access_token={Uri.EscapeDataString(accessToken)}",
        }.Uri;
        // No WebSocket keep-alive: its pong would have to be read, and this client reads nothing.
        var socket = new ClientWebSocket { Options = { KeepAliveInterval = TimeSpan.Zero } };
        try
        {
            await socket.ConnectAsync(url, invoker, cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(Handshake, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new NonReadingSocket(socket);
    }

    /// <summary>Keeps the server's client timeout away; false once the server has closed the connection.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        if (Closed)
        {
            return false;
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await _socket.SendAsync(Ping, WebSocketMessageType.Text, endOfMessage: true, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException)
        {
            // A ping that cannot go out within 5 s: the server is not reading us either, or it closed the socket.
            Closed = true;
            _socket.Abort();
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
