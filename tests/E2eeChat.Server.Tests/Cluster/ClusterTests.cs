using System.Diagnostics;
using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;
using Xunit.Abstractions;

namespace E2eeChat.Server.Tests.Cluster;

/// <summary>Three real server processes sharing PostgreSQL and Redis (DESIGN §7).</summary>
public abstract class ThreeInstances(bool redisCluster) : IAsyncLifetime
{
    public LocalCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await LocalCluster.StartAsync(3, settings: new Dictionary<string, string>
    {
        ["RateLimits__TokenPerUsername__PermitLimit"] = "3",
        ["RateLimits__TokenPerUsername__Window"] = "00:10:00",
        ["RateLimits__AcksPerDevice__PermitLimit"] = "3",
        ["RateLimits__AcksPerDevice__Window"] = "00:10:00",
    }, redisCluster: redisCluster);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>On one redis-server.</summary>
public sealed class ThreeInstanceCluster() : ThreeInstances(redisCluster: false);

public sealed class ClusterTests(ThreeInstanceCluster fixture, ITestOutputHelper output)
    : ClusterScenarios(fixture.Cluster, output), IClassFixture<ThreeInstanceCluster>;

/// <summary>What a cluster of instances does for its clients, whatever Redis it runs on.</summary>
public abstract class ClusterScenarios(LocalCluster cluster, ITestOutputHelper output)
{
    private LocalCluster Cluster => cluster;

    private Task<HubDevice> ConnectAsync(int instance, TestDevice device) =>
        HubDevice.ConnectAsync(Cluster.Instance(instance).BaseAddress, device);

    [Fact]
    public async Task Envelope_sent_on_one_instance_reaches_a_device_connected_to_another()
    {
        using var api0 = Cluster.Api(0);
        var alice = await api0.SignUpAsync();
        var bob = await api0.SignUpAsync();
        await using var bobHub = await ConnectAsync(1, bob);
        await bobHub.WaitForQueueEmptyAsync();

        await api0.SendTextAsync(alice, bob, "across instances");

        await bobHub.WaitForEnvelopesAsync(1);
        Assert.Equal(["across instances"], bobHub.Texts());
    }

    [Fact]
    public async Task Receipts_reach_the_sender_on_another_instance()
    {
        using var api0 = Cluster.Api(0);
        var alice = await api0.SignUpAsync();
        var bob = await api0.SignUpAsync();
        await using var aliceHub = await ConnectAsync(2, alice);
        await using var bobHub = await ConnectAsync(1, bob);
        await bobHub.WaitForQueueEmptyAsync();
        await api0.SendTextAsync(alice, bob, "receipt please");
        await bobHub.WaitForEnvelopesAsync(1);

        await bobHub.AckAsync(bobHub.Envelopes);

        await aliceHub.WaitForReceiptsAsync(1);
        Assert.Equal("delivered", aliceHub.Receipts[0].Status);
    }

    [Fact]
    public async Task A_newer_connection_on_another_instance_closes_the_older_one()
    {
        using var api0 = Cluster.Api(0);
        var alice = await api0.SignUpAsync();
        var bob = await api0.SignUpAsync();
        await using var older = await ConnectAsync(0, bob);
        await older.WaitForQueueEmptyAsync();

        await using var newer = await ConnectAsync(2, bob);
        await older.WaitForCloseAsync();
        await api0.SendTextAsync(alice, bob, "only the newer");

        Assert.Equal("connected_elsewhere", await older.WaitForRevokedAsync());
        await newer.WaitForEnvelopesAsync(1);
        Assert.Empty(older.Envelopes);
    }

    [Fact]
    public async Task Removing_a_device_on_one_instance_closes_its_socket_on_another()
    {
        using var api0 = Cluster.Api(0);
        var bob = await api0.SignUpAsync();
        var tablet = await api0.LinkByPasswordAsync(bob);
        await using var tabletHub = await ConnectAsync(2, tablet);
        await tabletHub.WaitForQueueEmptyAsync();

        var removing = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await api0.DeleteAsync($"/api/v1/devices/{tablet.DeviceId}", bob.AccessToken)).Status);

        await tabletHub.WaitForCloseAsync();
        output.WriteLine($"closed {removing.ElapsedMilliseconds} ms after the removal request was sent");
        Assert.Equal("device_removed", await tabletHub.WaitForRevokedAsync());
    }

    [Fact]
    public async Task Logout_on_one_instance_closes_the_connection_on_another()
    {
        using var api1 = Cluster.Api(1);
        var bob = await api1.SignUpAsync();
        await using var hub = await ConnectAsync(0, bob);
        await hub.WaitForQueueEmptyAsync();

        var loggingOut = Stopwatch.StartNew();
        await api1.PostAsync("/api/v1/auth/logout", token: bob.AccessToken);

        await hub.WaitForCloseAsync();
        output.WriteLine($"closed {loggingOut.ElapsedMilliseconds} ms after the logout request was sent");
        Assert.Equal("logged_out", await hub.WaitForRevokedAsync());
    }

    [Fact]
    public async Task Presence_counts_connections_across_instances()
    {
        using var api0 = Cluster.Api(0);
        var alice = await api0.SignUpAsync();
        var bob = await api0.SignUpAsync();
        var bobTablet = await api0.LinkByPasswordAsync(bob);
        await api0.SendTextAsync(alice, bob, "hello");
        await api0.SendTextAsync(bob, alice, "hi");
        await using var aliceHub = await ConnectAsync(2, alice);

        var phone = await ConnectAsync(0, bob);
        await phone.Connection.InvokeAsync("MarkRead", new[] { Guid.NewGuid() });
        var tablet = await ConnectAsync(1, bobTablet);
        await tablet.Connection.InvokeAsync("MarkRead", new[] { Guid.NewGuid() });
        await aliceHub.WaitUntilAsync(() => aliceHub.PresenceEvents.Count >= 1, "online presence");
        await phone.DisposeAsync();
        // The tablet on another instance keeps Bob online; only the last one leaving says offline.
        await tablet.Connection.InvokeAsync("MarkRead", new[] { Guid.NewGuid() });
        await tablet.DisposeAsync();
        await aliceHub.WaitUntilAsync(() => aliceHub.PresenceEvents.Count >= 2, "offline presence");

        Assert.Equal([true, false], aliceHub.PresenceEvents.Select(p => p.Online));
    }

    [Fact]
    public async Task Rate_limits_hold_across_instances()
    {
        using var api0 = Cluster.Api(0);
        var alice = await api0.SignUpAsync();
        var body = new { username = alice.Username, password = "wrong password", deviceId = 1 };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var api = Cluster.Api(i % 3);
            statuses.Add((await api.PostAsync("/api/v1/auth/token", body)).Status);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Hub_acks_are_limited_where_the_connection_is_and_REST_acks_across_instances()
    {
        using var api0 = Cluster.Api(0);
        var bob = await api0.SignUpAsync();
        await using var bobHub = await ConnectAsync(1, bob);
        // Ids nobody has: acking them changes nothing, but each call takes its permit.
        var none = new[] { Guid.NewGuid() };

        for (var i = 0; i < 3; i++)
        {
            await bobHub.Connection.InvokeAsync("Ack", none);
        }
        var hubAck = await Assert.ThrowsAsync<HubException>(() => bobHub.Connection.InvokeAsync("Ack", none));
        var restAcks = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var api = Cluster.Api(i % 3);
            restAcks.Add((await api.PostAsync("/api/v1/messages/ack", new { ids = none }, bob.AccessToken)).Status);
        }

        Assert.StartsWith("rate_limited:", HubDevice.ServerMessage(hubAck), StringComparison.Ordinal);
        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.TooManyRequests], restAcks);
    }

    [Fact]
    public async Task Readiness_reports_the_instance_and_its_engines()
    {
        var ready = await Cluster.ReadinessAsync(1);
        Assert.Equal("healthy", ready!["status"]!.GetValue<string>());
        Assert.Equal("instance-1", ready["instance"]!.GetValue<string>());
        Assert.Equal("healthy", ready["checks"]!["redis"]!["status"]!.GetValue<string>());
        Assert.Equal("healthy", ready["checks"]!["storage"]!["status"]!.GetValue<string>());
    }
}
