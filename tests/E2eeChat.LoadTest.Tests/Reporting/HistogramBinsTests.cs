using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Reporting;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Reporting;

public sealed class HistogramBinsTests
{
    [Fact]
    public void Bins_are_even_on_a_log_scale_hold_every_value_and_fill_the_gaps()
    {
        var histogram = LatencyHistogram.ForLatency();
        histogram.Record(1_200);
        histogram.Record(1_250);
        histogram.Record(120_000);

        var bins = HistogramBins.LogSpaced(histogram, binsPerDecade: 10);

        Assert.Equal(3, bins.Sum(b => b.Count));
        Assert.Equal(21, bins.Count);
        Assert.Equal(1.0, bins[0].FromMs);
        Assert.Equal(2, bins[0].Count);
        Assert.Equal(100.0, bins[^1].FromMs);
        Assert.Equal(1, bins[^1].Count);
        Assert.All(bins.Zip(bins.Skip(1)), pair => Assert.Equal(pair.First.ToMs, pair.Second.FromMs));
        Assert.All(bins[1..^1], bin => Assert.Equal(0, bin.Count));
    }

    [Fact]
    public void An_empty_histogram_has_no_bins()
    {
        Assert.Empty(HistogramBins.LogSpaced(LatencyHistogram.ForLatency(), 20));
    }
}
