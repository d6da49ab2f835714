using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Probes;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>The JSON result of one run (result.json); the HTML report and <c>summarize</c> read it too.</summary>
internal sealed record RunResult(
    string Scenario,
    string? Label,
    DateTimeOffset StartedAt,
    double ElapsedSeconds,
    string? LoadAverageAtStart,
    string? LoadAverageAtEnd,
    int ProcessorCount,
    RunParameters Parameters,
    RunTotals Totals,
    MeasuredWindow Measured,
    LatencySummary Latency,
    ConnectionStats? Connections,
    DrainStats? Drain,
    ServerMemory? Server,
    CpuUsage? Cpu,
    IReadOnlyList<TimelinePoint> Timeline,
    IReadOnlyList<HistogramBin> Histogram,
    IReadOnlyList<ErrorCount> Errors,
    Verdict Verdict);

internal sealed record RunParameters(
    string Url,
    string Protocol,
    int? Pairs,
    int? Members,
    int? Senders,
    int? Connections,
    int? Envelopes,
    int DevicesPerUser,
    int MessageSize,
    string Loop,
    double? RatePerSender,
    int MaxInFlight,
    double DurationSeconds,
    double WarmupSeconds,
    double RampUpSeconds,
    double SettleSeconds,
    int Parallelism,
    string Fault,
    int Streams,
    int FanOut,
    long MaxLoss,
    long MaxErrors,
    long? MaxDuplicates);

/// <summary>Envelope counts are per destination device, over the whole run (warm-up and settling included).</summary>
internal sealed record RunTotals(
    long DevicesCreated,
    long ConnectAttempts,
    long ConnectFailures,
    long UnexpectedDisconnects,
    long Sends,
    long SendErrors,
    long Sent,
    long Delivered,
    long Lost,
    long ServerDuplicates,
    long ContentDuplicates,
    long Reordered,
    long Foreign,
    long DeliveredOfFailedSends,
    long LateSends,
    long DeliveryTimeouts,
    long AckCalls,
    long Receipts,
    long AckErrors,
    long HandlerErrors,
    long Errors);

/// <summary>The measured window: sends in it give the latency, arrivals in it the throughput.</summary>
internal sealed record MeasuredWindow(double Seconds, long Sent, long Delivered, double SentPerSecond, double DeliveredPerSecond);

internal sealed record LatencySummary(long Count, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs, double MeanMs)
{
    public static LatencySummary Of(LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        return new LatencySummary(histogram.Count, Ms(histogram.ValueAtPercentile(50)), Ms(histogram.ValueAtPercentile(90)),
            Ms(histogram.ValueAtPercentile(99)), Ms(histogram.ValueAtPercentile(99.9)), Ms(histogram.Max),
            Math.Round(histogram.Mean / 1000.0, 3));
    }

    private static double Ms(long microseconds) => microseconds / 1000.0;
}

internal sealed record ConnectionStats(
    int Target,
    long Connected,
    long Failed,
    double ConnectSeconds,
    double ConnectsPerSecond,
    LatencySummary ConnectLatency,
    double HeldSeconds,
    long DroppedWhileHeld,
    long OpenAtEnd,
    long? ClientRssKiBBefore,
    long? ClientRssKiBAfter,
    double? ClientKiBPerConnection);

/// <summary>
/// The server's resident memory before and after the connections (or the run), when it could be read; for
/// <c>nonreaders</c>, "after" is its peak and <paramref name="RssKiBAtEnd"/> what it held once the server had closed them.
/// </summary>
internal sealed record ServerMemory(int Pid, string? Command, long? RssKiBBefore, long? RssKiBAfter, double? KiBPerConnection,
    long? RssKiBAtEnd = null);

/// <summary>
/// Cores busy on average while the figures were measured (the measured window, the hold, or the drain):
/// the whole machine, this tool, the server when it runs here, and each name given with <c>--cpu-of</c>.
/// Machine minus tool minus server is everyone else.
/// </summary>
internal sealed record CpuUsage(
    double Seconds, double MachineCores, double MachineBusyCores, double ToolCores, double? ServerCores,
    IReadOnlyDictionary<string, double> Processes)
{
    public static CpuUsage Between(CpuSnapshot start, CpuSnapshot end)
    {
        var seconds = RunClock.ToSeconds(end.At - start.At);
        var machineSeconds = end.MachineTotalSeconds - start.MachineTotalSeconds;
        double? server = start.Server is { } before && end.Server is { } after ? Cores((after - before).TotalSeconds, seconds) : null;
        return new CpuUsage(Math.Round(seconds, 3), Cores(machineSeconds, seconds),
            Cores(end.MachineBusySeconds - start.MachineBusySeconds, seconds), Cores((end.Tool - start.Tool).TotalSeconds, seconds),
            server, end.Watched.ToDictionary(
                watched => watched.Key,
                watched => Cores(watched.Value - start.Watched.GetValueOrDefault(watched.Key), seconds),
                StringComparer.Ordinal));
    }

    private static double Cores(double cpuSeconds, double seconds) => seconds > 0 ? Math.Round(cpuSeconds / seconds, 2) : 0;
}

/// <param name="EnvelopesPerDevice">What each receiving device found in its mailbox.</param>
/// <param name="Complete">Every accepted envelope arrived within the settle time.</param>
internal sealed record DrainStats(
    long EnvelopesPerDevice,
    int Devices,
    double FillSeconds,
    double FilledPerSecond,
    double SecondsToQueueEmpty,
    double SecondsToAllReceived,
    double DrainedPerSecond,
    bool Complete);

/// <summary>Latencies from <see cref="FromMs"/> up to <see cref="ToMs"/>.</summary>
internal sealed record HistogramBin(double FromMs, double ToMs, long Count);

internal sealed record ErrorCount(string Error, long Count);

internal sealed record Verdict(bool Passed, int ExitCode, IReadOnlyList<string> Reasons);
