using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Cluster;

/// <summary>Redis is an accelerator, not a store: stopping it costs latency, never messages.</summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Sends_during_a_redis_restart_all_arrive_exactly_once()
    {
        using var api0 = _cluster.Api(0);
        var alice = await api0.SignUpAsync();
        var bob = await api0.SignUpAsync();
        await using var bobHub = await HubDevice.ConnectAsync(_cluster.Instance(1).BaseAddress, bob);
        await bobHub.WaitForQueueEmptyAsync();
        const int total = 60;

        for (var i = 0; i < total; i++)
        {
            if (i == 20)
            {
                await _cluster.Redis.StopAsync();
                await Wait.UntilAsync(async () => (await api0.GetAsync("/health/ready")).Status == HttpStatusCode.ServiceUnavailable,
                    TimeSpan.FromSeconds(15), "readiness to report Redis down");
                var ready = await api0.GetAsync("/health/ready");
                Assert.Equal("unhealthy", ready.Body!["checks"]!["redis"]!["status"]!.GetValue<string>());
            }
            if (i == 40)
            {
                await _cluster.Redis.StartAsync();
            }
            Assert.Equal(HttpStatusCode.OK, (await api0.SendTextAsync(alice, bob, $"m{i}")).Status);
        }

        await bobHub.WaitUntilAsync(() => bobHub.Envelopes.Select(e => e.Id).Distinct().Count() >= total,
            $"all {total} envelopes after Redis came back");
        var distinct = bobHub.Envelopes.DistinctBy(e => e.Id).ToArray();
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"m{i}"), HubDevice.Texts(distinct));
        await Wait.UntilAsync(async () => (await api0.GetAsync("/health/ready")).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "readiness to recover");
    }
}
