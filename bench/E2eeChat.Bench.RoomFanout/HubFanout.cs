using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using E2eeChat.HubClient;

namespace E2eeChat.Bench.RoomFanout;

/// <summary>
/// One room send measured over the hub, as connected clients see it: every device holds a /hubs/chat connection,
/// the sender calls <c>SendToRoom</c>, and the clock stops when the last other device's <c>Envelope</c> arrives.
/// </summary>
internal sealed class HubFanout : IAsyncDisposable
{
    private static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(30);

    private readonly BenchRoom _room;
    private readonly int _contentBytes;
    private readonly HubConnection _sender;
    private readonly Receiver[] _receivers;
    private int _remaining;
    private TaskCompletionSource<long> _lastArrival = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HubFanout(BenchRoom room, int contentBytes, HubConnection sender, Receiver[] receivers)
    {
        _room = room;
        _contentBytes = contentBytes;
        _sender = sender;
        _receivers = receivers;
        foreach (var receiver in receivers)
        {
            receiver.Connection.On<JsonElement>("Envelope", envelope => Arrived(receiver, envelope));
        }
    }

    public static async Task<HubFanout> ConnectAsync(Uri baseAddress, BenchRoom room, int contentBytes)
    {
        var connections = new HubConnection[room.Devices.Count];
        for (var i = 0; i < connections.Length; i++)
        {
            var token = room.Devices[i].AccessToken;
            connections[i] = new HubConnection(new HubConnectionOptions
            {
                Url = new Uri(baseAddress, "/hubs/chat"),
                AccessTokenProvider = _ => ValueTask.FromResult<string?>(token),
            });
        }
        var fanout = new HubFanout(room, contentBytes, connections[0], [.. connections.Skip(1).Select(c => new Receiver(c))]);
        foreach (var connection in connections)
        {
            var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var queueEmpty = connection.On("QueueEmpty", drained.SetResult);
            await connection.StartAsync();
            await drained.Task.WaitAsync(ArrivalTimeout);
        }
        return fanout;
    }

    /// <summary>Milliseconds from calling SendToRoom to its result, and to the last device's Envelope.</summary>
    public async Task<(double Send, double LastDevice)> SendOnceAsync()
    {
        var envelopes = new object[_receivers.Length];
        for (var i = 0; i < envelopes.Length; i++)
        {
            var device = _room.Devices[i + 1];
            envelopes[i] = new
            {
                destinationUserId = device.UserId,
                destinationDeviceId = device.DeviceId,
                destinationRegistrationId = device.RegistrationId,
                type = 2,
                content = Convert.ToBase64String(RandomNumberGenerator.GetBytes(_contentBytes)),
            };
        }
        var request = new { messages = envelopes, timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
        // One send in flight and every mailbox acked before the next: whatever arrives now belongs to this send.
        _lastArrival = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _remaining, _receivers.Length);

        var start = Stopwatch.GetTimestamp();
        var result = await _sender.InvokeAsync<JsonElement>("SendToRoom", [_room.RoomId, request]);
        var sent = Stopwatch.GetElapsedTime(start);
        var last = Stopwatch.GetElapsedTime(start, await _lastArrival.Task.WaitAsync(ArrivalTimeout));

        var messageId = result.GetProperty("messageId").GetString();
        foreach (var receiver in _receivers)
        {
            if (receiver.MessageId != messageId)
            {
                throw new InvalidOperationException($"A device received message {receiver.MessageId} while {messageId} was sent.");
            }
        }
        // Untimed: acks free the delivery window and empty the mailboxes for the next send.
        await Task.WhenAll(_receivers.Select(r => r.Connection.InvokeAsync("Ack", [new[] { r.EnvelopeId }])));
        return (sent.TotalMilliseconds, last.TotalMilliseconds);
    }

    public async ValueTask DisposeAsync()
    {
        await _sender.DisposeAsync();
        foreach (var receiver in _receivers)
        {
            await receiver.Connection.DisposeAsync();
        }
    }

    private void Arrived(Receiver receiver, JsonElement envelope)
    {
        var at = Stopwatch.GetTimestamp();
        receiver.EnvelopeId = envelope.GetProperty("id").GetGuid();
        receiver.MessageId = envelope.GetProperty("messageId").GetString();
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _lastArrival.SetResult(at);
        }
    }

    private sealed class Receiver(HubConnection connection)
    {
        public HubConnection Connection { get; } = connection;

        public Guid EnvelopeId { get; set; }

        public string? MessageId { get; set; }
    }
}
