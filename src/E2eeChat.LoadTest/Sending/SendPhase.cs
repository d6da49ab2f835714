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
            var startAt = RunClock.After(origin, options.RampUp * i / streams.Length);
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
}
