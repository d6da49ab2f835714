using System.Diagnostics;

namespace E2eeChat.LoadTest.Metrics;

/// <summary>One second of a run: envelopes sent and delivered in it, and the latency of those delivered.</summary>
internal sealed record TimelinePoint(int Second, long Sent, long Delivered, double P50Ms, double P99Ms, double MaxMs);

/// <summary>
/// Per-second counts and latency percentiles, by arrival time, from <see cref="Start"/> on. Each second
/// keeps a coarse (two-digit) histogram only while it can still be written to; <see cref="Seal"/> turns
/// the seconds that ended over a second ago into points, so memory stays flat however long the run.
/// </summary>
internal sealed class Timeline
{
    private const int SignificantDigits = 2;
    private Second[] _seconds = [];
    private long _origin = long.MaxValue;

    /// <param name="capacity">Seconds to keep; later ones are counted in the last.</param>
    public void Start(long origin, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var seconds = new Second[capacity];
        for (var i = 0; i < seconds.Length; i++)
        {
            seconds[i] = new Second();
        }
        _seconds = seconds;
        Volatile.Write(ref _origin, origin);
    }

    public void RecordSent(long now, int envelopes)
    {
        if (At(now) is { } second)
        {
            Interlocked.Add(ref second.Sent, envelopes);
        }
    }

    public void RecordDelivery(long now, long latencyMicroseconds)
    {
        if (At(now) is not { } second)
        {
            return;
        }
        Interlocked.Increment(ref second.Delivered);
        var histogram = Volatile.Read(ref second.Latency);
        if (histogram is null)
        {
            var created = new LatencyHistogram(LatencyHistogram.HighestLatencyMicroseconds, SignificantDigits);
            histogram = Interlocked.CompareExchange(ref second.Latency, created, null) ?? created;
        }
        histogram.Record(latencyMicroseconds);
    }

    /// <summary>Summarizes the seconds that ended more than a second before <paramref name="now"/>.</summary>
    public void Seal(long now)
    {
        var origin = Volatile.Read(ref _origin);
        if (origin == long.MaxValue)
        {
            return;
        }
        var last = Math.Min((now - origin) / Stopwatch.Frequency - 2, _seconds.Length - 2);
        for (var i = 0; i <= last; i++)
        {
            _seconds[i].Seal();
        }
    }

    /// <summary>Every second from the start to <paramref name="now"/>, sealed.</summary>
    public List<TimelinePoint> Points(long now)
    {
        var points = new List<TimelinePoint>();
        var origin = Volatile.Read(ref _origin);
        if (origin == long.MaxValue)
        {
            return points;
        }
        var count = Math.Min((now - origin) / Stopwatch.Frequency + 1, _seconds.Length);
        for (var i = 0; i < count; i++)
        {
            _seconds[i].Seal();
            var second = _seconds[i];
            points.Add(new TimelinePoint(i, Volatile.Read(ref second.Sent), Volatile.Read(ref second.Delivered),
                second.P50Ms, second.P99Ms, second.MaxMs));
        }
        return points;
    }

    private Second? At(long now)
    {
        var origin = Volatile.Read(ref _origin);
        if (now < origin)
        {
            return null;
        }
        var seconds = _seconds;
        return seconds[(int)Math.Min((now - origin) / Stopwatch.Frequency, seconds.Length - 1)];
    }

    private sealed class Second
    {
        public long Sent;
        public long Delivered;
        public LatencyHistogram? Latency;
        public double P50Ms;
        public double P99Ms;
        public double MaxMs;

        public void Seal()
        {
            if (Interlocked.Exchange(ref Latency, null) is { } histogram)
            {
                P50Ms = histogram.ValueAtPercentile(50) / 1000.0;
                P99Ms = histogram.ValueAtPercentile(99) / 1000.0;
                MaxMs = histogram.Max / 1000.0;
            }
        }
    }
}
