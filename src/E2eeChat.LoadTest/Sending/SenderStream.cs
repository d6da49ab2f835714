using System.Security.Cryptography;
using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Payload;

namespace E2eeChat.LoadTest.Sending;

/// <summary>A device a stream's sends must reach, with the inbox that records what it got.</summary>
internal sealed record Destination(Guid UserId, int DeviceId, int RegistrationId, DeviceInbox Inbox)
{
    public static Destination Of(DeviceClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new Destination(client.Device.UserId, client.Device.DeviceId, client.Device.RegistrationId, client.Inbox);
    }
}

/// <summary>What a stream's destinations got of what the server accepted from it.</summary>
/// <param name="Lost">Accepted envelopes that never reached their device.</param>
/// <param name="DeliveredOfFailedSends">Envelopes that arrived although their send reported an error.</param>
internal readonly record struct StreamAudit(long Lost, long DeliveredOfFailedSends);

/// <summary>
/// One sender's numbered messages (1, 2, 3…) and the devices each one must reach: one hub-connected
/// device, or one worker of REST sends. Knows which sequence numbers the server accepted, so loss is
/// counted exactly, and lets a closed-loop sender wait until one message reached every device.
/// </summary>
internal sealed class SenderStream
{
    private readonly SequenceSet _accepted = new();
    private readonly Lock _gate = new();
    private long _lastSequence;
    private long _awaitedSequence = -1;
    private int _awaitedRemaining;
    private TaskCompletionSource? _awaited;

    public SenderStream(int id, DeviceClient? sender, IReadOnlyList<Destination> destinations, int messageSize)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        Id = id;
        Sender = sender;
        Destinations = destinations;
        Padding = RandomNumberGenerator.GetBytes(messageSize - MessagePayload.HeaderSize);
    }

    public int Id { get; }

    /// <summary>The connection that sends; null for REST senders.</summary>
    public DeviceClient? Sender { get; }

    public IReadOnlyList<Destination> Destinations { get; }

    /// <summary>Random bytes after the header, the same for every message of the stream.</summary>
    public byte[] Padding { get; }

    public int FanOut => Destinations.Count;

    public long NextSequence() => Interlocked.Increment(ref _lastSequence);

    public void Accepted(long sequence)
    {
        lock (_gate)
        {
            _accepted.Add(sequence);
        }
    }

    /// <summary>Completes when <paramref name="sequence"/> reached every destination. One at a time: for closed loops.</summary>
    public Task ExpectDelivery(long sequence)
    {
        var awaited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _awaited, awaited);
        Volatile.Write(ref _awaitedRemaining, FanOut);
        Volatile.Write(ref _awaitedSequence, sequence);
        return awaited.Task;
    }

    /// <summary>The first arrival of <paramref name="sequence"/> at one destination.</summary>
    public void Delivered(long sequence)
    {
        if (Volatile.Read(ref _awaitedSequence) == sequence && Interlocked.Decrement(ref _awaitedRemaining) == 0)
        {
            Volatile.Read(ref _awaited)?.TrySetResult();
        }
    }

    /// <summary>Compares what was accepted with what each destination received. Call once the connections stopped.</summary>
    public StreamAudit Audit()
    {
        lock (_gate)
        {
            long lost = 0;
            long unconfirmed = 0;
            foreach (var destination in Destinations)
            {
                var received = destination.Inbox.ReceivedFrom(Id);
                var missing = received?.CountMissing(_accepted) ?? _accepted.Count;
                lost += missing;
                unconfirmed += (received?.Count ?? 0) - (_accepted.Count - missing);
            }
            return new StreamAudit(lost, unconfirmed);
        }
    }
}
