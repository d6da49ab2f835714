using E2eeChat.LoadTest.Metrics;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Metrics;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Empty_histogram_reports_zeros()
    {
        var histogram = LatencyHistogram.ForLatency();

        Assert.Equal(0, histogram.Count);
        Assert.Equal(0, histogram.ValueAtPercentile(99));
        Assert.Equal(0, histogram.Max);
        Assert.Equal(0, histogram.Min);
        Assert.Empty(histogram.Buckets());
    }

    [Fact]
    public void Small_values_are_exact()
    {
        var histogram = LatencyHistogram.ForLatency();
        for (var value = 1; value <= 1000; value++)
        {
            histogram.Record(value);
        }

        Assert.Equal(1000, histogram.Count);
        Assert.Equal(500, histogram.ValueAtPercentile(50));
        Assert.Equal(900, histogram.ValueAtPercentile(90));
        Assert.Equal(990, histogram.ValueAtPercentile(99));
        Assert.Equal(999, histogram.ValueAtPercentile(99.9));
        Assert.Equal(1000, histogram.ValueAtPercentile(100));
        Assert.Equal(1000, histogram.Max);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(500.5, histogram.Mean);
    }

    [Theory]
    [InlineData(3, 0.001)]
    [InlineData(2, 0.01)]
    [InlineData(1, 0.1)]
    public void Percentiles_of_a_wide_distribution_keep_the_significant_digits(int digits, double relativeError)
    {
        var random = new Random(42);
        var values = new long[50_000];
        var histogram = new LatencyHistogram(LatencyHistogram.HighestLatencyMicroseconds, digits);
        for (var i = 0; i < values.Length; i++)
        {
            // Log-uniform from 1 µs to 100 s, as latencies spread.
            values[i] = (long)Math.Pow(10, random.NextDouble() * 8);
            histogram.Record(values[i]);
        }
        Array.Sort(values);

        foreach (var percentile in new[] { 1.0, 25, 50, 75, 90, 99, 99.9, 99.99 })
        {
            var exact = values[(int)Math.Ceiling(percentile / 100 * values.Length) - 1];
            var reported = histogram.ValueAtPercentile(percentile);
            Assert.InRange(reported, exact, exact + (long)(exact * relativeError) + 1);
        }
        Assert.Equal(values[^1], histogram.Max);
        Assert.Equal(values[0], histogram.Min);
    }

    [Fact]
    public void Buckets_hold_every_value_once_within_their_bounds()
    {
        var histogram = LatencyHistogram.ForLatency();
        long[] values = [0, 5, 2047, 2048, 2049, 123_456, 123_457, 9_876_543_210 / 10_000];
        foreach (var value in values)
        {
            histogram.Record(value);
        }

        var buckets = histogram.Buckets();
        Assert.Equal(values.Length, buckets.Sum(b => b.Count));
        foreach (var value in values)
        {
            Assert.Single(buckets, b => b.Lowest <= value && value <= b.Highest);
        }
        Assert.True(buckets.Zip(buckets.Skip(1)).All(pair => pair.First.Highest < pair.Second.Lowest), "buckets ascend and do not overlap");
    }

    [Fact]
    public void Values_above_the_range_count_at_the_top_and_keep_the_exact_max()
    {
        var histogram = new LatencyHistogram(10_000, 3);
        histogram.Record(5);
        histogram.Record(1_000_000);

        Assert.Equal(2, histogram.Count);
        Assert.Equal(1, histogram.Saturated);
        Assert.Equal(1_000_000, histogram.Max);
        Assert.InRange(histogram.ValueAtPercentile(100), 10_000, 1_000_000);
        Assert.Equal(5, histogram.ValueAtPercentile(50));
    }

    [Fact]
    public void Adding_merges_counts_extremes_and_sums()
    {
        var left = LatencyHistogram.ForLatency();
        var right = LatencyHistogram.ForLatency();
        for (var value = 1; value <= 100; value++)
        {
            left.Record(value);
            right.Record(value + 100);
        }

        left.Add(right);

        Assert.Equal(200, left.Count);
        Assert.Equal(100, left.ValueAtPercentile(50));
        Assert.Equal(200, left.Max);
        Assert.Equal(1, left.Min);
        Assert.Equal(100.5, left.Mean);
        Assert.Equal(100, right.Count);
    }

    [Fact]
    public void Adding_a_histogram_of_another_precision_is_refused()
    {
        var histogram = LatencyHistogram.ForLatency();

        Assert.Throws<ArgumentException>(() => histogram.Add(new LatencyHistogram(LatencyHistogram.HighestLatencyMicroseconds, 2)));
    }

    [Fact]
    public void Negative_values_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyHistogram.ForLatency().Record(-1));
    }

    [Fact]
    public void Records_from_many_threads_are_all_counted()
    {
        var histogram = LatencyHistogram.ForLatency();

        Parallel.For(0, 4, thread =>
        {
            for (var i = 1; i <= 100_000; i++)
            {
                histogram.Record(i);
            }
        });

        Assert.Equal(400_000, histogram.Count);
        Assert.Equal(400_000, histogram.Buckets().Sum(b => b.Count));
        Assert.Equal(100_000, histogram.Max);
        Assert.Equal(1, histogram.Min);
        Assert.InRange(histogram.ValueAtPercentile(50), 50_000, 50_050);
    }
}
