using System.Net;
using System.Net.WebSockets;
using E2eeChat.LoadTest.Api;
using E2eeChat.LoadTest.Cli;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace E2eeChat.LoadTest.Hub;

/// <summary>
/// Makes the hub connections of a run with the official SignalR client. Everything but the
/// <see cref="HubConnection"/> itself is made once and shared by thousands of connections: the connection
/// factory and its options (WebSockets only, no negotiate, as behind nginx; no automatic reconnect), the
/// hub protocol (JSON or MessagePack), one HTTP handler for every WebSocket upgrade, and no loggers. Each connection differs
/// only in its address, which carries the device's token as <c>access_token</c>.
/// </summary>
internal sealed class HubEndpoint
{
    public const string Path = "/hubs/chat";

    private readonly Uri _url;
    private readonly IConnectionFactory _connections;
    private readonly IHubProtocol _protocol;
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();

    public HubEndpoint(Uri baseUrl, WireProtocol protocol, HttpMessageHandler handler)
    {
        _url = new Uri(baseUrl, Path);
        var upgrades = new HttpMessageInvoker(handler, disposeHandler: false);
        // No Url: each connection's address is its endpoint.
        var options = new HttpConnectionOptions
        {
            Transports = HttpTransportType.WebSockets,
            SkipNegotiation = true,
            WebSocketFactory = async (context, cancellationToken) =>
            {
                var socket = new ClientWebSocket();
                try
                {
                    await socket.ConnectAsync(context.Uri, upgrades, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                return socket;
            },
        };
        _connections = new HttpConnectionFactory(Options.Create(options), NullLoggerFactory.Instance);
        _protocol = protocol == WireProtocol.MessagePack
            ? new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions { SerializerOptions = LoadMessagePack.Options }))
            : new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions { PayloadSerializerOptions = LoadJson.Options }));
    }

    public HubConnection Create(string accessToken)
    {
        var url = new UriBuilder(_url) { Query = "access_token=" + Uri.EscapeDataString(accessToken) }.Uri;
        return new HubConnection(_connections, _protocol, new UriEndPoint(url), _services, NullLoggerFactory.Instance);
    }
}
