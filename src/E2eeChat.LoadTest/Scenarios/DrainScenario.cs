using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Reporting;
using E2eeChat.LoadTest.Sending;

namespace E2eeChat.LoadTest.Scenarios;

/// <summary>
/// Fills the mailbox of an offline user's D devices with E envelopes each (REST sends from another
/// user, by several workers at once), then connects the devices and times the drain: until QueueEmpty
/// and until all E arrived (acknowledged as they come, as the server's delivery window requires).
/// </summary>
internal static class DrainScenario
{
    public static async Task<ScenarioOutcome> RunAsync(LoadRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = run.Options;
        run.Counters.Phase = "creating accounts";
        var sender = (await run.Accounts.CreateAsync("ds", 1, 1, cancellationToken).ConfigureAwait(false))[0];
        var receiver = (await run.Accounts.CreateAsync("dr", 1, options.Devices, cancellationToken).ConfigureAwait(false))[0];
        var receivers = new List<DeviceClient>(options.Devices);
        var destinations = new Destination[options.Devices];
        foreach (var device in receiver.Devices)
        {
            var client = run.AddClient(device);
            destinations[receivers.Count] = Destination.Of(client);
            receivers.Add(client);
        }

        // Each worker is a stream of its own, so that concurrent sends do not count as reordering.
        var workers = Math.Min(options.Parallelism, options.Envelopes);
        var streams = new SenderStream[workers];
        for (var w = 0; w < workers; w++)
        {
            streams[w] = new SenderStream(w, sender: null, destinations, options.MessageSize);
        }
        run.Recorder.Track(streams);

        run.Counters.Phase = "filling the mailbox";
        var fillStarted = RunClock.Now;
        run.Timeline.Start(fillStarted, run.TimelineCapacity);
        var transport = new RestDirectSend(run.Api, sender.Primary.AccessToken);
        await Parallel.ForAsync(0, workers, cancellationToken, async (w, _) =>
        {
            var streamSender = new StreamSender(streams[w], transport, options.MessageSize, run.Recorder, run.Counters);
            var share = (options.Envelopes / workers) + (w < options.Envelopes % workers ? 1 : 0);
            for (var i = 0; i < share && !cancellationToken.IsCancellationRequested; i++)
            {
                await streamSender.SendAsync(streams[w].NextSequence()).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        var fillSeconds = RunClock.ToSeconds(RunClock.Now - fillStarted);
        var accepted = Volatile.Read(ref run.Counters.SendsAccepted);

        run.Counters.Phase = "draining";
        var cpuAtStart = run.SnapshotCpu();
        var drainStarted = RunClock.Now;
        run.Clock.SetWindow(drainStarted, TimeSpan.Zero, options.Settle);
        var everything = run.Recorder.WhenDelivered(Volatile.Read(ref run.Counters.EnvelopesSent));
        var connected = await run.ConnectAsync(receivers, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        var complete = true;
        try
        {
            await everything.WaitAsync(options.Settle, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            complete = false;
        }
        var allReceivedAt = RunClock.Now;
        run.Cpu = CpuUsage.Between(cpuAtStart, run.SnapshotCpu());
        run.Clock.CloseWindow(allReceivedAt);
        await run.WaitForBacklogsAsync(connected, cancellationToken).ConfigureAwait(false);
        long queueEmptyAt = drainStarted;
        foreach (var client in connected)
        {
            queueEmptyAt = Math.Max(queueEmptyAt, client.QueueEmptyAt);
        }

        var drainSeconds = RunClock.ToSeconds(allReceivedAt - drainStarted);
        var delivered = Volatile.Read(ref run.Counters.Delivered);
        var drain = new DrainStats(accepted, options.Devices, Math.Round(fillSeconds, 3),
            fillSeconds > 0 ? Math.Round(accepted / fillSeconds, 1) : 0,
            Math.Round(RunClock.ToSeconds(queueEmptyAt - drainStarted), 3), Math.Round(drainSeconds, 3),
            drainSeconds > 0 ? Math.Round(delivered / drainSeconds, 1) : 0, complete);
        return new ScenarioOutcome { Streams = streams, FanOut = options.Devices, Drain = drain };
    }
}
