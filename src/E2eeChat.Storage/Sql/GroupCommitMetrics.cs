using System.Diagnostics.Metrics;

namespace E2eeChat.Storage.Sql;

/// <summary>
/// How group commit batches: requests per transaction and how long each transaction took, per kind (send, ack, read).
/// On the product's meter, <c>E2eeChat</c>, which the server exports with its own instruments.
/// </summary>
internal static class GroupCommitMetrics
{
    public const string MeterName = "E2eeChat";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("e2eechat.store.batch.size", "{request}",
        "Requests (sends, acks or read marks) committed together in one transaction.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    private static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>("e2eechat.store.batch.duration", "s",
        "Time from a batch's first statement to its commit (or failure).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });

    public static void Committed(string kind, int requests, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("kind", kind);
        BatchSize.Record(requests, tag);
        BatchDuration.Record(elapsed.TotalSeconds, tag);
    }
}
