using System.Numerics;

namespace E2eeChat.LoadTest.Metrics;

/// <summary>
/// An HDR-style histogram of non-negative integers (the tool records microseconds). Log-linear
/// buckets keep <c>significantDigits</c> decimal digits of precision at every magnitude in fixed
/// memory: values up to 2×10^digits are exact, larger ones share a bucket with neighbours less than
/// 10^-digits apart. Recording is lock-free, so one instance serves every connection at once.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>One hour: anything slower is counted there.</summary>
    public const long HighestLatencyMicroseconds = 3_600_000_000;

    private readonly long[] _counts;
    private readonly int _subBucketHalfCountMagnitude;
    private readonly int _subBucketHalfCount;
    private readonly long _subBucketMask;
    private readonly int _leadingZeroCountBase;
    private long _count;
    private long _sum;
    private long _max;
    private long _min = long.MaxValue;
    private long _saturated;

    /// <param name="highestTrackableValue">Larger values are counted at this value (see <see cref="Saturated"/>).</param>
    /// <param name="significantDigits">1 to 5.</param>
    public LatencyHistogram(long highestTrackableValue, int significantDigits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(highestTrackableValue, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(significantDigits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(significantDigits, 5);
        HighestTrackableValue = highestTrackableValue;
        SignificantDigits = significantDigits;

        // The sub-buckets of one bucket must resolve 2×10^digits distinct values.
        long largestSingleUnitValue = 2;
        for (var i = 0; i < significantDigits; i++)
        {
            largestSingleUnitValue *= 10;
        }
        var subBucketCountMagnitude = 0;
        while ((1L << subBucketCountMagnitude) < largestSingleUnitValue)
        {
            subBucketCountMagnitude++;
        }
        _subBucketHalfCountMagnitude = subBucketCountMagnitude - 1;
        var subBucketCount = 1L << subBucketCountMagnitude;
        _subBucketHalfCount = (int)(subBucketCount / 2);
        _subBucketMask = subBucketCount - 1;
        _leadingZeroCountBase = 64 - _subBucketHalfCountMagnitude - 1;

        var smallestUntrackable = subBucketCount;
        var bucketCount = 1;
        while (smallestUntrackable <= highestTrackableValue && smallestUntrackable <= long.MaxValue / 2)
        {
            smallestUntrackable <<= 1;
            bucketCount++;
        }
        _counts = new long[(bucketCount + 1) * _subBucketHalfCount];
    }

    /// <summary>Microseconds up to one hour, three significant digits: the tool's latency histogram.</summary>
    public static LatencyHistogram ForLatency() => new(HighestLatencyMicroseconds, 3);

    public long HighestTrackableValue { get; }

    public int SignificantDigits { get; }

    public long Count => Volatile.Read(ref _count);

    /// <summary>The largest value recorded, exactly (also when it was above <see cref="HighestTrackableValue"/>); 0 when empty.</summary>
    public long Max => Volatile.Read(ref _max);

    /// <summary>The smallest value recorded, exactly; 0 when empty.</summary>
    public long Min => Count == 0 ? 0 : Volatile.Read(ref _min);

    public double Mean => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    /// <summary>How many values were above <see cref="HighestTrackableValue"/> and counted at it.</summary>
    public long Saturated => Volatile.Read(ref _saturated);

    public void Record(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        var bucketed = value;
        if (value > HighestTrackableValue)
        {
            bucketed = HighestTrackableValue;
            Interlocked.Increment(ref _saturated);
        }
        Interlocked.Increment(ref _counts[CountsIndex(bucketed)]);
        Interlocked.Add(ref _sum, value);
        Interlocked.Increment(ref _count);
        RaiseMax(value);
        LowerMin(value);
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> percent of the recorded values lie,
    /// as the highest value of its bucket (never above <see cref="Max"/>); 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100.0);
        var total = Count;
        if (total == 0)
        {
            return 0;
        }
        var target = Math.Max(1, (long)((percentile / 100.0 * total) + 0.5));
        long cumulative = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            cumulative += Volatile.Read(ref _counts[i]);
            if (cumulative >= target)
            {
                return Math.Min(HighestEquivalentValue(i), Max);
            }
        }
        return Max;
    }

    /// <summary>Adds every value of <paramref name="other"/>, which must have the same range and precision.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.HighestTrackableValue != HighestTrackableValue || other.SignificantDigits != SignificantDigits)
        {
            throw new ArgumentException("Only histograms of the same range and precision can be added.", nameof(other));
        }
        for (var i = 0; i < _counts.Length; i++)
        {
            var count = Volatile.Read(ref other._counts[i]);
            if (count != 0)
            {
                Interlocked.Add(ref _counts[i], count);
            }
        }
        if (other.Count == 0)
        {
            return;
        }
        Interlocked.Add(ref _count, other.Count);
        Interlocked.Add(ref _sum, Volatile.Read(ref other._sum));
        Interlocked.Add(ref _saturated, other.Saturated);
        RaiseMax(other.Max);
        LowerMin(other.Min);
    }

    /// <summary>The non-empty buckets in ascending order: the lowest and highest value each holds, and its count.</summary>
    public List<HistogramBucket> Buckets()
    {
        var buckets = new List<HistogramBucket>();
        for (var i = 0; i < _counts.Length; i++)
        {
            var count = Volatile.Read(ref _counts[i]);
            if (count != 0)
            {
                buckets.Add(new HistogramBucket(LowestEquivalentValue(i), HighestEquivalentValue(i), count));
            }
        }
        return buckets;
    }

    private int CountsIndex(long value)
    {
        var bucketIndex = _leadingZeroCountBase - BitOperations.LeadingZeroCount((ulong)(value | _subBucketMask));
        var subBucketIndex = (int)(value >> bucketIndex);
        return ((bucketIndex + 1) << _subBucketHalfCountMagnitude) + (subBucketIndex - _subBucketHalfCount);
    }

    private (int BucketIndex, int SubBucketIndex) Locate(int countsIndex)
    {
        var bucketIndex = (countsIndex >> _subBucketHalfCountMagnitude) - 1;
        var subBucketIndex = (countsIndex & (_subBucketHalfCount - 1)) + _subBucketHalfCount;
        if (bucketIndex < 0)
        {
            subBucketIndex -= _subBucketHalfCount;
            bucketIndex = 0;
        }
        return (bucketIndex, subBucketIndex);
    }

    private long LowestEquivalentValue(int countsIndex)
    {
        var (bucketIndex, subBucketIndex) = Locate(countsIndex);
        return (long)subBucketIndex << bucketIndex;
    }

    private long HighestEquivalentValue(int countsIndex)
    {
        var (bucketIndex, subBucketIndex) = Locate(countsIndex);
        return ((long)subBucketIndex << bucketIndex) + (1L << bucketIndex) - 1;
    }

    private void RaiseMax(long value)
    {
        var current = Volatile.Read(ref _max);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    private void LowerMin(long value)
    {
        var current = Volatile.Read(ref _min);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref _min, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}

/// <summary>One bucket of a <see cref="LatencyHistogram"/>: values from <see cref="Lowest"/> to <see cref="Highest"/>.</summary>
internal readonly record struct HistogramBucket(long Lowest, long Highest, long Count);
