using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Cluster;

/// <summary>Three instances behind the repository's nginx configuration, one of them crashing mid-stream.</summary>
public sealed class NginxClusterTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(3, nginx: true);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Devices_behind_nginx_survive_an_instance_crash_and_get_every_envelope_exactly_once()
    {
        using var api = _cluster.NginxApi();
        var alice = await api.SignUpAsync();
        var bob = await api.SignUpAsync();
        var tablet = await api.LinkByPasswordAsync(bob);
        var registrations = await api.DevicesAsync(bob);

        var before = await _cluster.ConnectionCountsAsync();
        var aliceHub = await ConnectThroughNginxAsync(alice);
        var aliceInstance = await LandedOnAsync(before);
        before = await _cluster.ConnectionCountsAsync();
        var phoneHub = await ConnectThroughNginxAsync(bob);
        var phoneInstance = await LandedOnAsync(before);
        before = await _cluster.ConnectionCountsAsync();
        var tabletHub = await ConnectThroughNginxAsync(tablet);
        var tabletInstance = await LandedOnAsync(before);
        Assert.Equal(3, new[] { aliceInstance, phoneInstance, tabletInstance }.Distinct().Count());

        var tabletConnections = new List<HubDevice> { tabletHub };
        const int total = 40;
        for (var i = 0; i < total; i++)
        {
            if (i == 15)
            {
                _cluster.Kill(tabletInstance);
                await tabletHub.WaitForCloseAsync();
                // A real client reconnects; nginx sends it to a live instance.
                tabletHub = await ConnectThroughNginxAsync(tablet);
                tabletConnections.Add(tabletHub);
            }
            var request = Send(registrations.Select(d => Envelope(d.DeviceId, d.RegistrationId, $"m{i}")), messageId: $"send-{i}");
            await aliceHub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId, request);
        }

        // A barrier after every send: whatever the crash and the reconnection set off has happened before it arrives.
        var barrier = Send(registrations.Select(d => Envelope(d.DeviceId, d.RegistrationId, "barrier")), messageId: "send-barrier");
        await aliceHub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId, barrier);
        await phoneHub.WaitUntilAsync(() => phoneHub.Texts().Contains("barrier"), "the barrier on the phone");
        await tabletHub.WaitUntilAsync(() => tabletHub.Texts().Contains("barrier"), "the barrier on the tablet");
        var expected = Enumerable.Range(0, total).Select(i => $"m{i}").Append("barrier").ToArray();

        // Raw arrivals, nothing acked, on the connections that never dropped: each envelope once, in order. The tablet's
        // second connection gets its whole mailbox, so a re-push there would show twice.
        Assert.Equal(expected, phoneHub.Texts());
        Assert.Equal(expected, tabletHub.Texts());
        // The one redelivery is what the crashed connection had been sent before the crash, each envelope at most once.
        var crashed = tabletConnections[0];
        Assert.True(crashed.Envelopes.Count <= 15, $"{crashed.Envelopes.Count} envelopes reached the crashed connection");
        Assert.Equal(expected.Take(crashed.Envelopes.Count), crashed.Texts());

        // Removing the tablet, through whichever instance nginx picks, closes its socket wherever it is.
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/devices/{tablet.DeviceId}", bob.AccessToken)).Status);
        await tabletHub.WaitForCloseAsync();
        Assert.Equal("device_removed", await tabletHub.WaitForRevokedAsync());

        foreach (var hub in tabletConnections.Concat([aliceHub, phoneHub]))
        {
            await hub.DisposeAsync();
        }
    }

    private Task<HubDevice> ConnectThroughNginxAsync(TestDevice device) => HubDevice.ConnectAsync(_cluster.NginxAddress!, device);

    /// <summary>The instance whose connection count grew by one since <paramref name="before"/>.</summary>
    private async Task<int> LandedOnAsync(int[] before)
    {
        var landed = -1;
        // The server counts a connection once OnConnectedAsync ran; wait for a count to move.
        await Wait.UntilAsync(async () =>
        {
            var after = await _cluster.ConnectionCountsAsync();
            landed = Enumerable.Range(0, after.Length).FirstOrDefault(i => after[i] == before[i] + 1, -1);
            return landed >= 0;
        }, TimeSpan.FromSeconds(10), "an instance to count the new connection");
        return landed;
    }
}
