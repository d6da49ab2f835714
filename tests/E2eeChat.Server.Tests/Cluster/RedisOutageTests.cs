using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Microsoft.AspNetCore.SignalR.Client;
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
        var connectionId = bobHub.Connection.ConnectionId;
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

        // Both instances: Bob's, whose subscriptions must be back, reconnects to Redis on its own schedule.
        using var api1 = _cluster.Api(1);
        foreach (var api in new[] { api0, api1 })
        {
            await Wait.UntilAsync(async () => (await api.GetAsync("/health/ready")).Status == HttpStatusCode.OK,
                TimeSpan.FromSeconds(30), "readiness to recover");
        }
        // A barrier: sent once Redis is back and the cluster ready, so whatever its return set off has happened before it.
        Assert.Equal(HttpStatusCode.OK, (await api0.SendTextAsync(alice, bob, "barrier")).Status);
        await bobHub.WaitUntilAsync(() => bobHub.Texts().Contains("barrier"), "the barrier after Redis came back");

        // Raw arrivals, nothing acked, on a connection that never dropped: a re-push of anything would show twice.
        Assert.Equal(HubConnectionState.Connected, bobHub.Connection.State);
        Assert.Equal(connectionId, bobHub.Connection.ConnectionId);
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"m{i}").Append("barrier"), bobHub.Texts());
    }

    [Fact]
    public async Task While_redis_is_down_new_hub_connections_get_503_and_after_it_returns_they_get_the_whole_mailbox()
    {
        using var api0 = _cluster.Api(0);
        var alice = await api0.SignUpAsync();
        var bob = await api0.SignUpAsync();
        await StopRedisAsync(api0);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await api0.SendTextAsync(alice, bob, $"m{i}")).Status);
        }
        using var api1 = _cluster.Api(1);
        var negotiate = await api1.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", token: bob.AccessToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, negotiate.Status);
        Assert.Equal("hub_unavailable", negotiate.Code);
        Assert.NotNull(negotiate.RetryAfter);

        await _cluster.Redis.StartAsync();
        await Wait.UntilAsync(async () => (await api1.GetAsync("/health/ready")).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "readiness to recover");
        await using var bobHub = await HubDevice.ConnectAsync(_cluster.Instance(1).BaseAddress, bob);
        await bobHub.WaitForEnvelopesAsync(3);
        Assert.Equal(["m0", "m1", "m2"], bobHub.Texts());
    }

    [Fact]
    public async Task While_redis_is_down_acks_and_typing_succeed_and_receipts_are_kept()
    {
        using var api0 = _cluster.Api(0);
        var alice = await api0.SignUpAsync();
        var bob = await api0.SignUpAsync();
        // Bob has written to Alice, so once she writes back they are contacts who may see each other typing.
        Assert.Equal(HttpStatusCode.OK, (await api0.SendTextAsync(bob, alice, "hello")).Status);
        await using var bobHub = await HubDevice.ConnectAsync(_cluster.Instance(0).BaseAddress, bob);
        await bobHub.WaitForQueueEmptyAsync();
        await StopRedisAsync(api0);

        var sent = await api0.SendTextAsync(alice, bob, "during the outage");
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        // Committed on the instance that holds Bob's connection: it needs no Redis to arrive.
        await bobHub.WaitForEnvelopesAsync(1);
        // Their receipt and the typing event cannot cross instances now; the calls still succeed.
        await bobHub.AckAsync(bobHub.Envelopes);
        await bobHub.Connection.InvokeAsync("Typing", alice.UserId.ToString(), true);

        var status = await api0.GetAsync($"/api/v1/messages/{sent.Text("messageId")}/status", alice.AccessToken);
        Assert.Equal(HttpStatusCode.OK, status.Status);
        Assert.Equal("delivered", status.Body!["recipients"]![0]!["status"]!.GetValue<string>());
        await _cluster.Redis.StartAsync();
    }

    private async Task StopRedisAsync(ApiClient api)
    {
        await _cluster.Redis.StopAsync();
        await Wait.UntilAsync(async () => (await api.GetAsync("/health/ready")).Status == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(15), "readiness to report Redis down");
    }
}
