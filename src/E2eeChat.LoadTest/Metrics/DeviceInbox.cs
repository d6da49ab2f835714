using E2eeChat.LoadTest.Hub;

namespace E2eeChat.LoadTest.Metrics;

/// <summary>How an arrival counts.</summary>
internal enum Arrival
{
    InOrder,
    Reordered,
    ServerDuplicate,
    ContentDuplicate,
    Foreign,
}

/// <summary>
/// What one device received: the envelope ids it has seen (it drops repeats, as a real client does)
/// and, per sender stream, the sequence numbers. Written only by the device's connection, one
/// envelope at a time; read once that connection has stopped.
/// </summary>
internal sealed class DeviceInbox
{
    private readonly HashSet<Guid> _envelopeIds = [];
    private readonly Dictionary<int, SequenceSet> _streams = [];

    /// <param name="streamCount">Stream ids from 0 to this (exclusive) belong to the run.</param>
    public Arrival Accept(in ArrivedEnvelope envelope, int streamCount)
    {
        if (!_envelopeIds.Add(envelope.Id))
        {
            return Arrival.ServerDuplicate;
        }
        var header = envelope.Header;
        if (!envelope.IsOurs || header.StreamId >= streamCount)
        {
            return Arrival.Foreign;
        }
        if (!_streams.TryGetValue(header.StreamId, out var received))
        {
            received = new SequenceSet();
            _streams.Add(header.StreamId, received);
        }
        var highest = received.Highest;
        if (!received.Add(header.Sequence))
        {
            return Arrival.ContentDuplicate;
        }
        return header.Sequence < highest ? Arrival.Reordered : Arrival.InOrder;
    }

    /// <summary>The sequence numbers received from <paramref name="streamId"/>; null when none.</summary>
    public SequenceSet? ReceivedFrom(int streamId) => _streams.GetValueOrDefault(streamId);
}
