using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Cluster;

/// <summary>An instance that crashes never says its devices left; presence must not count them for ever.</summary>
public sealed class PresencePruningTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(2,
        settings: new Dictionary<string, string> { ["Instance__InstanceTimeout"] = "00:00:03" }, redisCluster: true);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Connections_of_a_crashed_instance_stop_counting_for_presence()
    {
        using var api = _cluster.Api(1);
        var alice = await api.SignUpAsync();
        var bob = await api.SignUpAsync();
        var bobTablet = await api.LinkByPasswordAsync(bob);
        // Presence goes only to mutual contacts: each has written to the other.
        await api.SendTextAsync(alice, bob, "hello");
        await api.SendTextAsync(bob, alice, "hello");
        await using var aliceHub = await HubDevice.ConnectAsync(_cluster.Instance(1).BaseAddress, alice);
        var phone = await HubDevice.ConnectAsync(_cluster.Instance(0).BaseAddress, bob);
        await aliceHub.WaitUntilAsync(() => aliceHub.PresenceEvents.Count >= 1, "online presence");

        // kill -9: the phone's instance never removes it from Bob's presence.
        _cluster.Kill(0);
        await phone.DisposeAsync();

        // Once instance 0 is known silent, Bob's tablet coming and going is all that counts: Alice sees him leave.
        // Until then the phone still counts, and the tablet's visits change nothing Alice sees.
        await Wait.UntilAsync(async () =>
        {
            var before = aliceHub.PresenceEvents.Count;
            var tablet = await HubDevice.ConnectAsync(_cluster.Instance(1).BaseAddress, bobTablet);
            await tablet.WaitForQueueEmptyAsync();
            await tablet.DisposeAsync();
            try
            {
                await Wait.UntilAsync(() => aliceHub.PresenceEvents.Count > before && !Online(aliceHub.PresenceEvents[^1]),
                    TimeSpan.FromSeconds(2), "the tablet's visit to show");
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(40), "Bob offline for Alice");

        var events = aliceHub.PresenceEvents.Select(Online).ToArray();
        Assert.True(events[0]);
        Assert.False(events[^1]);
    }

    private static bool Online(HubPresence presence) => presence.Online;
}
