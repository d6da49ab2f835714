using E2eeChat.LoadTest.Api;
using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Sending;

namespace E2eeChat.LoadTest.Scenarios;

/// <summary>
/// One room of M members with D devices each, all connected; the first K members send from their
/// primary device with <c>SendToRoom</c>, one envelope per device of everyone else in the room
/// (their own other devices included): a fan-out of M×D − 1.
/// </summary>
internal static class RoomScenario
{
    public static async Task<ScenarioOutcome> RunAsync(LoadRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = run.Options;
        run.Counters.Phase = "creating accounts";
        var members = await run.Accounts.CreateAsync("m", options.Members, options.Devices, cancellationToken).ConfigureAwait(false);

        run.Counters.Phase = "creating the room";
        var memberIds = new Guid[members.Length - 1];
        for (var i = 1; i < members.Length; i++)
        {
            memberIds[i - 1] = members[i].UserId;
        }
        var room = await run.Api.CreateRoomAsync(members[0].Primary.AccessToken,
            new CreateRoomRequest($"load test {members[0].Username}", memberIds), cancellationToken).ConfigureAwait(false);
        // Creating a room invites its members; each joins by accepting.
        var accepts = new Task[members.Length - 1];
        for (var i = 1; i < members.Length; i++)
        {
            accepts[i - 1] = run.Api.AcceptInvitationAsync(members[i].Primary.AccessToken, room.RoomId, cancellationToken);
        }
        await Task.WhenAll(accepts).ConfigureAwait(false);

        var clients = new List<DeviceClient>(members.Length * options.Devices);
        foreach (var member in members)
        {
            foreach (var device in member.Devices)
            {
                clients.Add(run.AddClient(device));
            }
        }
        var streams = new SenderStream[options.Senders];
        for (var s = 0; s < streams.Length; s++)
        {
            var sender = clients[s * options.Devices];
            var destinations = new List<Destination>(clients.Count - 1);
            foreach (var client in clients)
            {
                if (!ReferenceEquals(client, sender))
                {
                    destinations.Add(Destination.Of(client));
                }
            }
            streams[s] = new SenderStream(s, sender, destinations, options.MessageSize);
        }
        run.Recorder.Track(streams);

        await run.ConnectAllAsync(cancellationToken).ConfigureAwait(false);
        // The last device of the last member: a receiver, unless every member sends from a single device.
        var fault = FaultInjection.Arm(options.Fault, clients[^1]);
        await SendPhase.RunAsync(run, streams, new HubRoomSend(room.RoomId), fault, cancellationToken).ConfigureAwait(false);
        return new ScenarioOutcome { Streams = streams, FanOut = clients.Count - 1 };
    }
}
