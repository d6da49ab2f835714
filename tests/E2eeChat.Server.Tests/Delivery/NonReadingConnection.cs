using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace E2eeChat.Server.Tests.Delivery;

/// <summary>
/// A raw WebSocket that completes the SignalR handshake, pings so the server does not time it out, and never
/// reads: its socket's receive buffer is small, so the server's sends back up at the TCP level.
/// </summary>
internal sealed class NonReadingConnection : IDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pings;

    private NonReadingConnection(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        _socket = socket;
        _invoker = invoker;
        _pings = PingAsync();
    }

    public static async Task<NonReadingConnection> OpenAsync(Uri baseAddress, string accessToken)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        // No WebSocket keep-alive: its pong would have to be read, and this client reads nothing.
        var socket = new ClientWebSocket { Options = { KeepAliveInterval = TimeSpan.Zero } };
        var url = new UriBuilder(baseAddress) { Scheme = "ws", Path = "/hubs/chat", Query = $"access_token={accessToken}" }.Uri;
        await socket.ConnectAsync(url, invoker, CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text,
            endOfMessage: true, CancellationToken.None);
        return new NonReadingConnection(socket, invoker);
    }

    private async Task PingAsync()
    {
        var ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await _socket.SendAsync(ping, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
                await Task.Delay(TimeSpan.FromSeconds(2), _stop.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Stopped, or the server closed the connection.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Abort();
        _pings.Wait(TimeSpan.FromSeconds(5));
        _socket.Dispose();
        _invoker.Dispose();
        _stop.Dispose();
    }
}

