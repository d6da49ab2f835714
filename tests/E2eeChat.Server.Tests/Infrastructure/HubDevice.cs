using System.Collections.Concurrent;
using System.Text;
using E2eeChat.Testing.Processes;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>The hub protocols /hubs/chat speaks.</summary>
public enum HubProtocol
{
    Json,
    MessagePack,
}

/// <summary>
/// One device connected to /hubs/chat with the official .NET SignalR client, recording everything the
/// server pushes so tests can wait on it. WebSockets without negotiation, as behind nginx.
/// </summary>
public sealed class HubDevice : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    // ASP.NET Core SignalR puts "An unexpected error occurred invoking 'Send' on the server. HubException: " before
    // the message a hub method threw; the error code starts right after it.
    private const string HubExceptionMarker = "HubException: ";
    private readonly ConcurrentQueue<HubEnvelope> _envelopes = new();
    private readonly ConcurrentQueue<HubReceipt> _receipts = new();
    private readonly ConcurrentQueue<HubTyping> _typing = new();
    private readonly ConcurrentQueue<HubPresence> _presence = new();
    private readonly ConcurrentQueue<HubRoomEvent> _events = new();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _queueEmpty;
    private int _receiptEvents;
    private readonly TaskCompletionSource<string> _revoked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HubDevice(TestDevice device, HubConnection connection)
    {
        Device = device;
        Connection = connection;
        connection.On<HubEnvelope>("Envelope", _envelopes.Enqueue);
        connection.On("QueueEmpty", () => Interlocked.Increment(ref _queueEmpty));
        connection.On<HubReceipt[]>("Receipts", receipts =>
        {
            foreach (var receipt in receipts)
            {
                _receipts.Enqueue(receipt);
            }
            Interlocked.Increment(ref _receiptEvents);
        });
        connection.On<HubTyping>("Typing", _typing.Enqueue);
        connection.On<HubPresence>("Presence", _presence.Enqueue);
        connection.On<HubRoomEvent>("RoomEvent", _events.Enqueue);
        connection.On<HubRevoked>("Revoked", revoked => _revoked.TrySetResult(revoked.Reason));
        connection.Closed += reason =>
        {
            _closed.TrySetResult(reason);
            return Task.CompletedTask;
        };
    }

    public TestDevice Device { get; }

    public HubConnection Connection { get; }

    public IReadOnlyList<HubEnvelope> Envelopes => [.. _envelopes];

    public IReadOnlyList<HubReceipt> Receipts => [.. _receipts];

    /// <summary>How many <c>Receipts</c> events carried <see cref="Receipts"/>.</summary>
    public int ReceiptEvents => Volatile.Read(ref _receiptEvents);

    public IReadOnlyList<HubTyping> TypingEvents => [.. _typing];

    public IReadOnlyList<HubPresence> PresenceEvents => [.. _presence];

    public IReadOnlyList<HubRoomEvent> RoomEvents => [.. _events];

    public bool SawQueueEmpty => Volatile.Read(ref _queueEmpty) > 0;

    /// <summary>
    /// The reason the server gave when it revoked this connection. The client dispatches handlers on their own
    /// loop, so <c>Closed</c> can fire before the <c>Revoked</c> handler has run: wait for it rather than read it.
    /// </summary>
    public Task<string> WaitForRevokedAsync() => _revoked.Task.WaitAsync(Timeout);

    /// <summary>
    /// Connects over WebSockets. <paramref name="negotiate"/> goes through <c>/hubs/chat/negotiate</c> first, where
    /// a refusal surfaces as an <see cref="HttpRequestException"/> with its status code; without it, the WebSocket
    /// upgrade's refusal is a <see cref="System.Net.WebSockets.WebSocketException"/>.
    /// </summary>
    public static async Task<HubDevice> ConnectAsync(Uri baseAddress, TestDevice device, HubProtocol protocol = HubProtocol.Json,
        bool negotiate = false)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(baseAddress, "/hubs/chat"), options =>
        {
            options.AccessTokenProvider = () => Task.FromResult<string?>(device.AccessToken);
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = !negotiate;
        });
        if (protocol == HubProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }
        var hubDevice = new HubDevice(device, builder.Build());
        try
        {
            await hubDevice.Connection.StartAsync();
        }
        catch
        {
            await hubDevice.Connection.DisposeAsync();
            throw;
        }
        return hubDevice;
    }

    /// <summary>What the hub method threw, without SignalR's prefix: it starts with the error code.</summary>
    public static string ServerMessage(HubException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var marker = exception.Message.IndexOf(HubExceptionMarker, StringComparison.Ordinal);
        return marker < 0 ? exception.Message : exception.Message[(marker + HubExceptionMarker.Length)..];
    }

    public static IEnumerable<string> Texts(IEnumerable<HubEnvelope> envelopes) =>
        envelopes.Select(e => Encoding.UTF8.GetString(e.Content));

    public IEnumerable<string> Texts() => Texts(Envelopes);

    public Task WaitForQueueEmptyAsync() => Wait.UntilAsync(() => SawQueueEmpty, Timeout, "QueueEmpty");

    public Task WaitForEnvelopesAsync(int count) =>
        Wait.UntilAsync(() => _envelopes.Count >= count, Timeout, $"{count} envelopes (have {_envelopes.Count})");

    public Task WaitForReceiptsAsync(int count) =>
        Wait.UntilAsync(() => _receipts.Count >= count, Timeout, $"{count} receipts");

    public Task WaitUntilAsync(Func<bool> condition, string what) => Wait.UntilAsync(condition, Timeout, what);

    public Task AckAsync(IEnumerable<HubEnvelope> envelopes) =>
        Connection.InvokeAsync("Ack", envelopes.Select(e => e.Id).ToArray());

    /// <summary>Waits until the server closed the connection; the reason the client reported, if any.</summary>
    public Task<Exception?> WaitForCloseAsync() => _closed.Task.WaitAsync(Timeout);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
