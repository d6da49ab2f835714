using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

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
            receiver.Connection.On<ArrivedEnvelope>("Envelope", envelope => Arrived(receiver, envelope));
        }
    }

    public static async Task<HubFanout> ConnectAsync(Uri baseAddress, BenchRoom room, int contentBytes)
    {
        var connections = new HubConnection[room.Devices.Count];
        for (var i = 0; i < connections.Length; i++)
        {
            var token = room.Devices[i].AccessToken;
            connections[i] = new HubConnectionBuilder()
                .WithUrl(new Uri(baseAddress, "/hubs/chat"), options =>
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    options.Transports = HttpTransportType.WebSockets;
                    options.SkipNegotiation = true;
                })
                .Build();
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
        var result = await _sender.InvokeAsync<SendAccepted>("SendToRoom", _room.RoomId, request);
        var sent = Stopwatch.GetElapsedTime(start);
        var last = Stopwatch.GetElapsedTime(start, await _lastArrival.Task.WaitAsync(ArrivalTimeout));

        var messageId = result.MessageId;
        foreach (var receiver in _receivers)
        {
            if (receiver.MessageId != messageId)
            {
                throw new InvalidOperationException($"A device received message {receiver.MessageId} while {messageId} was sent.");
            }
        }
        // Untimed: acks free the delivery window and empty the mailboxes for the next send.
        await Task.WhenAll(_receivers.Select(r => r.Connection.InvokeAsync("Ack", new[] { r.EnvelopeId })));
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

    private void Arrived(Receiver receiver, ArrivedEnvelope envelope)
    {
        var at = Stopwatch.GetTimestamp();
        receiver.EnvelopeId = envelope.Id;
        receiver.MessageId = envelope.MessageId;
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _lastArrival.SetResult(at);
        }
    }

    private sealed class Receiver(HubConnection connection)
    {
        public HubConnection Connection { get; } = connection;

        public Guid EnvelopeId { get; set; }

        public Guid? MessageId { get; set; }
    }

    /// <summary>What this bench reads of an <c>Envelope</c> event.</summary>
    private sealed record ArrivedEnvelope(Guid Id, Guid MessageId);

    /// <summary>What this bench reads of SendToRoom's result.</summary>
    private sealed record SendAccepted(Guid MessageId);
}
