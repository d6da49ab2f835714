using System.Collections.Concurrent;
using System.Text.Json;
using E2eeChat.HubClient;
using E2eeChat.Testing.Processes;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>
/// One device connected to /hubs/chat with our hub client, recording everything the server
/// pushes so tests can wait on it.
/// </summary>
public sealed class HubDevice : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly ConcurrentQueue<JsonElement> _envelopes = new();
    private readonly ConcurrentQueue<JsonElement> _receipts = new();
    private readonly ConcurrentQueue<JsonElement> _typing = new();
    private readonly ConcurrentQueue<JsonElement> _presence = new();
    private readonly ConcurrentQueue<JsonElement> _events = new();
    private int _queueEmpty;
    private string? _revokedReason;

    private HubDevice(TestDevice device, HubConnection connection)
    {
        Device = device;
        Connection = connection;
        connection.On<JsonElement>("Envelope", e => _envelopes.Enqueue(e.Clone()));
        connection.On("QueueEmpty", () => Interlocked.Increment(ref _queueEmpty));
        connection.On<JsonElement>("Receipt", e => _receipts.Enqueue(e.Clone()));
        connection.On<JsonElement>("Typing", e => _typing.Enqueue(e.Clone()));
        connection.On<JsonElement>("Presence", e => _presence.Enqueue(e.Clone()));
        connection.On<JsonElement>("RoomEvent", e => _events.Enqueue(e.Clone()));
        connection.On<JsonElement>("Revoked", e => _revokedReason = e.GetProperty("reason").GetString());
    }

    public TestDevice Device { get; }

    public HubConnection Connection { get; }

    public IReadOnlyList<JsonElement> Envelopes => [.. _envelopes];

    public IReadOnlyList<JsonElement> Receipts => [.. _receipts];

    public IReadOnlyList<JsonElement> TypingEvents => [.. _typing];

    public IReadOnlyList<JsonElement> PresenceEvents => [.. _presence];

    public IReadOnlyList<JsonElement> RoomEvents => [.. _events];

    public bool SawQueueEmpty => Volatile.Read(ref _queueEmpty) > 0;

    public string? RevokedReason => _revokedReason;

    public static async Task<HubDevice> ConnectAsync(Uri baseAddress, TestDevice device)
    {
        var connection = new HubConnection(new HubConnectionOptions
        {
            Url = new Uri(baseAddress, "/hubs/chat"),
            AccessTokenProvider = _ => ValueTask.FromResult<string?>(device.AccessToken),
        });
        var hubDevice = new HubDevice(device, connection);
        await connection.StartAsync();
        return hubDevice;
    }

    public static IEnumerable<string> Texts(IEnumerable<JsonElement> envelopes) =>
        envelopes.Select(e => System.Text.Encoding.UTF8.GetString(e.GetProperty("content").GetBytesFromBase64()));

    public IEnumerable<string> Texts() => Texts(Envelopes);

    public Task WaitForQueueEmptyAsync() => Wait.UntilAsync(() => SawQueueEmpty, Timeout, "QueueEmpty");

    public Task WaitForEnvelopesAsync(int count) =>
        Wait.UntilAsync(() => _envelopes.Count >= count, Timeout, $"{count} envelopes (have {_envelopes.Count})");

    public Task WaitForReceiptsAsync(int count) =>
        Wait.UntilAsync(() => _receipts.Count >= count, Timeout, $"{count} receipts");

    public Task WaitUntilAsync(Func<bool> condition, string what) => Wait.UntilAsync(condition, Timeout, what);

    public Task AckAsync(IEnumerable<JsonElement> envelopes) =>
        Connection.InvokeAsync("Ack", [envelopes.Select(e => e.GetProperty("id").GetGuid()).ToArray()]);

    public async Task<Exception?> WaitForCloseAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        return await Connection.WhenClosed.WaitAsync(timeout.Token);
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
