using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.LoadTest.Hub;

/// <summary>How the SignalR client reports that a call or a connect failed, as opposed to a bug in the tool.</summary>
internal static class HubFailures
{
    /// <summary>
    /// The hub refused the call (<see cref="HubException"/>), the connection was not open
    /// (<see cref="InvalidOperationException"/>), or it closed while the call was under way (the client
    /// cancels pending calls) or failed underneath.
    /// </summary>
    public static bool IsCallFailure(Exception exception) =>
        exception is HubException or InvalidOperationException or OperationCanceledException or IOException or WebSocketException;

    /// <summary>The server refused the upgrade, the socket or the handshake failed or timed out.</summary>
    public static bool IsConnectFailure(Exception exception) =>
        exception is HttpRequestException or WebSocketException or TimeoutException or IOException
            or InvalidOperationException or OperationCanceledException or HubException;
}
