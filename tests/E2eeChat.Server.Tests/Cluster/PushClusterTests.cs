using System.Globalization;
using System.Text.RegularExpressions;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using E2eeChat.Testing.Redis;
using Xunit;

namespace E2eeChat.Server.Tests.Cluster;

/// <summary>Two real server processes on PostgreSQL and Redis, whose wake-ups go to a loopback push service.</summary>
public abstract class TwoInstancesWithPush(bool redisCluster) : IAsyncLifetime
{
    public LocalCluster Cluster { get; private set; } = null!;

    public LoopbackPushService PushService { get; private set; } = null!;

    /// <summary>The Redis servers to ask about subscriptions: the one server, or every node of the Redis Cluster.</summary>
    public IReadOnlyList<RedisServer> RedisNodes => redisCluster ? Cluster.RedisCluster.Nodes : [Cluster.Redis];

    public async Task InitializeAsync()
    {
        PushService = await LoopbackPushService.StartAsync();
        Cluster = await LocalCluster.StartAsync(2, settings: new Dictionary<string, string>
        {
            ["Push__AllowInsecureEndpoints"] = "true",
        }, redisCluster: redisCluster);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await PushService.DisposeAsync();
    }
}

public sealed class TwoInstancesWithPushOnRedis() : TwoInstancesWithPush(redisCluster: false);

public sealed class TwoInstancesWithPushOnRedisCluster() : TwoInstancesWithPush(redisCluster: true);

public sealed class PushClusterTests(TwoInstancesWithPushOnRedis fixture)
    : PushClusterScenarios(fixture), IClassFixture<TwoInstancesWithPushOnRedis>
{
    /// <summary>
    /// On one Redis server PUBLISH answers how many subscribers heard it: an envelope that reached a device connected to
    /// another instance needs no PUBSUB NUMSUB to know the device is online. A device nobody heard still gets asked for.
    /// </summary>
    [Fact]
    public async Task An_envelope_published_to_a_device_online_elsewhere_queues_no_wake_up_check()
    {
        var cluster = fixture.Cluster;
        using var api0 = cluster.Api(0);
        var alice = await api0.SignUpAsync();
        var bob = await api0.SignUpAsync();
        var carol = await api0.SignUpAsync();
        await using var bobHub = await HubDevice.ConnectAsync(cluster.Instance(1).BaseAddress, bob);
        await bobHub.WaitForQueueEmptyAsync();
        var asked = await NumsubCallsAsync();

        await api0.SendTextAsync(alice, bob, "to instance 1");
        await bobHub.WaitForEnvelopesAsync(1);
        // Sent after Bob's: Carol is offline, so instance 0 asks Redis whether she is connected anywhere. Had Bob's
        // envelope queued a check too, it would have been asked first.
        await api0.SendTextAsync(alice, carol, "to nobody");

        await Wait.UntilAsync(async () => await NumsubCallsAsync() > asked, Timeout, "the offline device's check");
        Assert.Equal(asked + 1, await NumsubCallsAsync());
    }

    private async Task<long> NumsubCallsAsync()
    {
        var stats = await fixture.RedisNodes[0].CliAsync("INFO", "commandstats");
        var match = Regex.Match(stats, @"cmdstat_pubsub(\|numsub)?:calls=(\d+)");
        return match.Success ? long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
    }
}

/// <summary>The same on a Redis Cluster, where PUBSUB NUMSUB counts one node's subscribers: the node owning the channel's slot.</summary>
public sealed class PushRedisClusterTests(TwoInstancesWithPushOnRedisCluster fixture)
    : PushClusterScenarios(fixture), IClassFixture<TwoInstancesWithPushOnRedisCluster>;

/// <summary>"No live connection on any instance", as the instance that commits a send sees it.</summary>
public abstract class PushClusterScenarios(TwoInstancesWithPush fixture)
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_send_committed_on_one_instance_does_not_wake_a_device_connected_to_another_but_does_once_it_left()
    {
        var cluster = fixture.Cluster;
        var service = fixture.PushService;
        using var api0 = cluster.Api(0);
        var alice = await api0.SignUpAsync();
        var bob = await api0.SignUpAsync();
        var bobTablet = await api0.LinkByPasswordAsync(bob);
        using var phone = new WebPushSubscriber();
        using var tablet = new WebPushSubscriber();
        var (phoneEndpoint, tabletEndpoint) = (service.NewEndpoint(), service.NewEndpoint());
        await api0.PutAsync("/api/v1/devices/me/push", phone.Registration(phoneEndpoint), bob.AccessToken);
        await api0.PutAsync("/api/v1/devices/me/push", tablet.Registration(tabletEndpoint), bobTablet.AccessToken);
        await using (var bobHub = await HubDevice.ConnectAsync(cluster.Instance(1).BaseAddress, bob))
        {
            await bobHub.WaitForQueueEmptyAsync();

            await api0.SendTextAsync(alice, bob, "while the phone is on instance 1");

            // The same send's wake-up for the offline tablet went out from instance 0: the phone's was decided by then.
            await Wait.UntilAsync(() => service.ReceivedAt(tabletEndpoint).Count == 1, Timeout, "the tablet's wake-up");
            await bobHub.WaitForEnvelopesAsync(1);
            Assert.Empty(service.ReceivedAt(phoneEndpoint));
        }
        await Wait.UntilAsync(async () => await SubscribersAsync(bob) == 0, Timeout, "the phone's channel to lose its subscriber");

        await api0.SendTextAsync(alice, bob, "after the phone left");

        await Wait.UntilAsync(() => service.ReceivedAt(phoneEndpoint).Count == 1, Timeout, "the phone's wake-up");
        Assert.Equal("{}", System.Text.Encoding.UTF8.GetString(phone.Decrypt(service.ReceivedAt(phoneEndpoint)[0].Body)));
        Assert.Single(service.ReceivedAt(tabletEndpoint));
    }

    /// <summary>PUBSUB NUMSUB of the device's channel, summed over the Redis nodes.</summary>
    private async Task<int> SubscribersAsync(TestDevice device)
    {
        var channel = string.Create(CultureInfo.InvariantCulture, $"device:{device.UserId:N}:{device.DeviceId}");
        var total = 0;
        foreach (var node in fixture.RedisNodes)
        {
            var lines = (await node.CliAsync("PUBSUB", "NUMSUB", channel)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            total += int.Parse(lines[^1].Trim(), CultureInfo.InvariantCulture);
        }
        return total;
    }
}
