using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Sending;

namespace E2eeChat.LoadTest.Scenarios;

/// <summary>
/// P pairs: each sender (one device) sends over the hub to its partner, who has D devices, all
/// connected: one envelope per partner device per message.
/// </summary>
internal static class PairsScenario
{
    public static async Task<ScenarioOutcome> RunAsync(LoadRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = run.Options;
        run.Counters.Phase = "creating accounts";
        var senders = await run.Accounts.CreateAsync("s", options.Pairs, 1, cancellationToken).ConfigureAwait(false);
        var partners = await run.Accounts.CreateAsync("p", options.Pairs, options.Devices, cancellationToken).ConfigureAwait(false);

        var streams = new SenderStream[options.Pairs];
        DeviceClient? firstReceiver = null;
        for (var i = 0; i < streams.Length; i++)
        {
            var sender = run.AddClient(senders[i].Primary);
            var destinations = new Destination[options.Devices];
            for (var d = 0; d < destinations.Length; d++)
            {
                var receiver = run.AddClient(partners[i].Devices[d]);
                firstReceiver ??= receiver;
                destinations[d] = Destination.Of(receiver);
            }
            streams[i] = new SenderStream(i, sender, destinations, options.MessageSize);
        }
        run.Recorder.Track(streams);

        await run.ConnectAllAsync(cancellationToken).ConfigureAwait(false);
        var fault = FaultInjection.Arm(options.Fault, firstReceiver!);
        await SendPhase.RunAsync(run, streams, new HubDirectSend(), fault, cancellationToken).ConfigureAwait(false);
        return new ScenarioOutcome { Streams = streams, FanOut = options.Devices };
    }
}
