using E2eeChat.LoadTest.Metrics;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>Regroups a histogram's fine buckets into log-spaced bins, for the report's chart and JSON.</summary>
internal static class HistogramBins
{
    /// <summary>
    /// Bins of equal width on a log scale, <paramref name="binsPerDecade"/> to a factor of ten, from the
    /// lowest value recorded to the highest, empty ones included so that the axis stays even.
    /// </summary>
    public static List<HistogramBin> LogSpaced(LatencyHistogram histogram, int binsPerDecade)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        ArgumentOutOfRangeException.ThrowIfLessThan(binsPerDecade, 1);
        var bins = new List<HistogramBin>();
        var firstIndex = 0;
        foreach (var bucket in histogram.Buckets())
        {
            // A fine bucket goes wholly into the bin of its lowest value (in microseconds).
            var index = (int)Math.Floor((Math.Log10(Math.Max(1, bucket.Lowest)) * binsPerDecade) + 1e-9);
            if (bins.Count == 0)
            {
                firstIndex = index;
            }
            while (firstIndex + bins.Count <= index)
            {
                var k = firstIndex + bins.Count;
                bins.Add(new HistogramBin(Milliseconds(k, binsPerDecade), Milliseconds(k + 1, binsPerDecade), 0));
            }
            var bin = bins[index - firstIndex];
            bins[index - firstIndex] = bin with { Count = bin.Count + bucket.Count };
        }
        return bins;
    }

    private static double Milliseconds(int index, int binsPerDecade) => Math.Round(Math.Pow(10, (double)index / binsPerDecade) / 1000.0, 4);
}
