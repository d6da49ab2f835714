using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Sending;

namespace E2eeChat.LoadTest.Metrics;

/// <summary>
/// Where every send and every arrival is measured: counts, latency (send → arrival at the device) of
/// what was sent in the measured window, throughput of what arrived in it, and the per-second timeline.
/// Called from every connection's receive loop at once; lock-free.
/// </summary>
internal sealed class DeliveryRecorder(RunClock clock, RunCounters counters, Timeline timeline)
{
    private SenderStream[] _streams = [];
    private long _sentInWindow;
    private long _deliveredInWindow;
    private long _target = long.MaxValue;
    private TaskCompletionSource? _targetReached;

    /// <summary>Latency in microseconds of envelopes sent inside the measured window.</summary>
    public LatencyHistogram Latency { get; } = LatencyHistogram.ForLatency();

    public long SentInWindow => Volatile.Read(ref _sentInWindow);

    public long DeliveredInWindow => Volatile.Read(ref _deliveredInWindow);

    /// <summary>The run's streams, by id; set before anything is sent.</summary>
    public void Track(SenderStream[] streams) => Volatile.Write(ref _streams, streams);

    /// <summary>Completes once <paramref name="target"/> envelopes have been delivered in all.</summary>
    public Task WhenDelivered(long target)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _targetReached, reached);
        Volatile.Write(ref _target, target);
        if (Volatile.Read(ref counters.Delivered) >= target)
        {
            reached.TrySetResult();
        }
        return reached.Task;
    }

    public void RecordSent(long sentAt, int envelopes)
    {
        timeline.RecordSent(sentAt, envelopes);
        if (clock.InWindow(sentAt))
        {
            Interlocked.Add(ref _sentInWindow, envelopes);
        }
    }

    public void Record(DeviceInbox inbox, in ArrivedEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(inbox);
        var now = RunClock.Now;
        var streams = Volatile.Read(ref _streams);
        switch (inbox.Accept(envelope, streams.Length))
        {
            case Arrival.ServerDuplicate:
                Interlocked.Increment(ref counters.ServerDuplicates);
                return;
            case Arrival.ContentDuplicate:
                Interlocked.Increment(ref counters.ContentDuplicates);
                return;
            case Arrival.Foreign:
                Interlocked.Increment(ref counters.Foreign);
                return;
            case Arrival.Reordered:
                Interlocked.Increment(ref counters.Reordered);
                break;
            case Arrival.InOrder:
            default:
                break;
        }

        var sentAt = envelope.Header.SentAt;
        var latency = RunClock.ToMicroseconds(Math.Max(0, now - sentAt));
        timeline.RecordDelivery(now, latency);
        if (clock.InWindow(sentAt))
        {
            Latency.Record(latency);
        }
        if (clock.InWindow(now))
        {
            Interlocked.Increment(ref _deliveredInWindow);
        }
        streams[envelope.Header.StreamId].Delivered(envelope.Header.Sequence);
        if (Interlocked.Increment(ref counters.Delivered) >= Volatile.Read(ref _target))
        {
            Volatile.Read(ref _targetReached)?.TrySetResult();
        }
    }
}
