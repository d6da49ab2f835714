using E2eeChat.LoadTest.Cli;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Scenarios;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>Puts a finished run's measurements and the scenario's own figures into a <see cref="RunResult"/>.</summary>
internal static class ResultBuilder
{
    private const int BinsPerDecade = 20;

    public static RunResult Build(LoadRun run, ScenarioOutcome outcome, DateTimeOffset startedAt, double elapsedSeconds,
        string? loadAtStart)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(outcome);
        var options = run.Options;
        var counters = run.Counters;
        long lost = 0;
        long deliveredOfFailedSends = 0;
        foreach (var stream in outcome.Streams)
        {
            var audit = stream.Audit();
            lost += audit.Lost;
            deliveredOfFailedSends += audit.DeliveredOfFailedSends;
        }
        var totals = new RunTotals(counters.DevicesCreated, counters.ConnectAttempts, counters.ConnectFailures,
            counters.UnexpectedDisconnects, counters.SendsAccepted, counters.SendErrors, counters.EnvelopesSent,
            counters.Delivered, lost, counters.ServerDuplicates, counters.ContentDuplicates, counters.Reordered,
            counters.Foreign, deliveredOfFailedSends, counters.LateSends, counters.DeliveryTimeouts, counters.AckCalls,
            counters.Receipts, counters.AckErrors, counters.HandlerErrors, counters.Errors);

        var window = run.Clock.WindowLength.TotalSeconds;
        var measured = new MeasuredWindow(Math.Round(window, 3), run.Recorder.SentInWindow, run.Recorder.DeliveredInWindow,
            PerSecond(run.Recorder.SentInWindow, window), PerSecond(run.Recorder.DeliveredInWindow, window));

        var errors = new List<ErrorCount>();
        foreach (var (error, count) in counters.ErrorLog.Snapshot())
        {
            errors.Add(new ErrorCount(error, count));
        }

        return new RunResult(OptionNames.Of(options.Scenario), options.Label, startedAt, Math.Round(elapsedSeconds, 3), loadAtStart,
            Probes.LoadAverage.Read(), Environment.ProcessorCount, Parameters(options, outcome), totals, measured,
            LatencySummary.Of(run.Recorder.Latency), outcome.Connections, outcome.Drain, outcome.Server, run.Cpu,
            run.Timeline.Points(RunClock.Now), HistogramBins.LogSpaced(run.Recorder.Latency, BinsPerDecade), errors,
            Thresholds.Judge(totals, options));
    }

    private static RunParameters Parameters(LoadOptions options, ScenarioOutcome outcome)
    {
        var scenario = options.Scenario;
        var sends = scenario is Scenario.Pairs or Scenario.Room;
        return new RunParameters(options.Url.ToString(), OptionNames.Of(options.Protocol),
            scenario == Scenario.Pairs ? options.Pairs : null,
            scenario == Scenario.Room ? options.Members : null,
            scenario == Scenario.Room ? options.Senders : null,
            scenario is Scenario.Connections or Scenario.NonReaders ? options.Connections : null,
            scenario is Scenario.Drain or Scenario.NonReaders ? options.Envelopes : null,
            options.Devices, options.MessageSize,
            sends ? OptionNames.Of(options.Loop) : "none",
            sends && options.Loop == SendLoop.Rate ? options.Rate : null,
            options.MaxInFlight, options.Duration.TotalSeconds, options.Warmup.TotalSeconds, options.RampUp.TotalSeconds,
            options.Settle.TotalSeconds, options.Parallelism, OptionNames.Of(options.Fault), outcome.Streams.Length, outcome.FanOut,
            options.MaxLoss, options.MaxErrors, options.MaxDuplicates);
    }

    private static double PerSecond(long count, double seconds) => seconds > 0 ? Math.Round(count / seconds, 1) : 0;
}
