using E2eeChat.LoadTest.Cli;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Scenarios;

namespace E2eeChat.LoadTest.Sending;

/// <summary>
/// The timed part of the message scenarios: senders start over the ramp-up, send through warm-up and
/// the measured window, stop, and the run then waits (at most the settle time) for what is still on its way.
/// </summary>
internal static class SendPhase
{
    public static async Task RunAsync(LoadRun run, SenderStream[] streams, ISendTransport transport, FaultInjection? fault,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(streams);
        var options = run.Options;
        var origin = RunClock.Now;
        run.Clock.SetWindow(origin, options.Warmup, options.Duration);
        run.Timeline.Start(origin, run.TimelineCapacity);
        run.Counters.Phase = "sending";
        var stopAt = run.Clock.WindowEnd;

        var tasks = new List<Task>(streams.Length + 1);
        for (var i = 0; i < streams.Length; i++)
        {
            var startAt = RunClock.After(origin, StartOffset(options, i, streams.Length));
            var sender = new StreamSender(streams[i], transport, options.MessageSize, run.Recorder, run.Counters);
            tasks.Add(new SenderLoop(sender, options, run.Counters).RunAsync(startAt, stopAt, cancellationToken));
        }
        tasks.Add(run.MeasureCpuAsync(run.Clock.WindowStart, stopAt, cancellationToken));
        if (fault is not null)
        {
            tasks.Add(fault.StrikeAsync(RunClock.After(run.Clock.WindowStart, options.Duration / 2), stopAt, cancellationToken));
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        await run.SettleAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// When sender <paramref name="index"/> of <paramref name="count"/> starts: spread over the ramp-up and, at an
    /// offered rate, over one interval between sends as well, so that N senders at r messages/s each offer N·r
    /// evenly instead of all N at once every 1/r s (a burst that would add its own queueing to every latency).
    /// </summary>
    public static TimeSpan StartOffset(LoadOptions options, int index, int count)
    {
        ArgumentNullException.ThrowIfNull(options);
        var offset = options.RampUp * index / count;
        return options.Loop == SendLoop.Rate ? offset + TimeSpan.FromSeconds(1 / options.Rate) * index / count : offset;
    }
}
