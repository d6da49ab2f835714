using System.Net.WebSockets;
using System.Text.Json;

namespace E2eeChat.HubClient;

/// <summary>How a <see cref="HubConnection"/> reaches its hub. Validated when the connection is created.</summary>
public sealed class HubConnectionOptions
{
    /// <summary>Camel case, web defaults: the shape the server's SignalR JSON protocol uses.</summary>
    public static JsonSerializerOptions DefaultSerializerOptions { get; } = CreateDefaultSerializerOptions();

    /// <summary>The hub endpoint, e.g. <c>http://host/hubs/chat</c>; ws:// and wss:// work as well.</summary>
    public required Uri Url { get; set; }

    /// <summary>
    /// Asked for a token on every <see cref="HubConnection.StartAsync"/>, so a restart after a close
    /// presents a fresh one. The token travels in the <c>access_token</c> query parameter of the
    /// WebSocket request, and as a bearer header on negotiate.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? AccessTokenProvider { get; set; }

    /// <summary>
    /// Connect the WebSocket directly, without the negotiate round trip. Needs a WebSocket-only server
    /// or sticky routing; our hub and nginx setup allow it (DESIGN §7).
    /// </summary>
    public bool SkipNegotiation { get; set; } = true;

    /// <summary>A Ping goes out when nothing else was sent for this long. Keep it under the server's client timeout.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The connection is declared dead when nothing arrived for this long. Keep it over the server's keep-alive.</summary>
    public TimeSpan ServerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the server may take to answer the handshake.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A single message from the server larger than this closes the connection instead of growing the buffer without bound.</summary>
    public int MaximumReceiveMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Used for invocation arguments, results and handler arguments.</summary>
    public JsonSerializerOptions SerializerOptions { get; set; } = DefaultSerializerOptions;

    /// <summary>
    /// Used for negotiate and for the WebSocket upgrade; never disposed by the connection. Sharing one
    /// handler across thousands of connections saves creating one per connection.
    /// </summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }

    /// <summary>Adjusts each <see cref="ClientWebSocket"/> before it connects (headers, certificates, buffer sizes).</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Url);
        if (!Url.IsAbsoluteUri || Url.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            throw new ArgumentException($"Url must be an absolute http, https, ws or wss URI; it is '{Url}'.", nameof(Url));
        }
        RequirePositive(KeepAliveInterval, nameof(KeepAliveInterval));
        RequirePositive(ServerTimeout, nameof(ServerTimeout));
        RequirePositive(HandshakeTimeout, nameof(HandshakeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaximumReceiveMessageSize, 1024, nameof(MaximumReceiveMessageSize));
        ArgumentNullException.ThrowIfNull(SerializerOptions, nameof(SerializerOptions));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive, finite time span.");
        }
    }

    private static JsonSerializerOptions CreateDefaultSerializerOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
