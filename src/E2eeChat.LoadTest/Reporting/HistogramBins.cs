using E2eeChat.LoadTest.Metrics;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>Regroups a histogram's fine buckets into a few log-spaced bins, for the report's chart and JSON.</summary>
internal static class HistogramBins
{
    public static List<HistogramBin> LogSpaced(LatencyHistogram histogram, int binsPerDecade)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var bins = new List<HistogramBin>();
        var factor = Math.Pow(10, 1.0 / binsPerDecade);
        double binEnd = 0;
        foreach (var bucket in histogram.Buckets())
        {
            if (bins.Count == 0 || bucket.Lowest >= binEnd)
            {
                // The bin holding this bucket: [10^(k/n), 10^((k+1)/n)) microseconds.
                var exponent = Math.Floor(Math.Log10(Math.Max(1, bucket.Lowest)) * binsPerDecade);
                var binStart = Math.Pow(10, exponent / binsPerDecade);
                binEnd = binStart * factor;
                bins.Add(new HistogramBin(Math.Round(binStart / 1000.0, 4), Math.Round(binEnd / 1000.0, 4), 0));
            }
            var last = bins[^1];
            bins[^1] = last with { Count = last.Count + bucket.Count };
        }
        return bins;
    }
}
