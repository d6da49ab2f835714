using E2eeChat.Scaleout.Tests.Contract;
using E2eeChat.Scaleout.Tests.Fakes;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Scaleout.Tests;

/// <summary>
/// The single-server and the scale-out contract against our manager: every server is its own
/// service provider with its own backplane, all sharing one real redis-server.
/// </summary>
public sealed class RedisHubLifetimeManagerContractTests(RedisServerFixture redis)
    : ScaleoutHubLifetimeManagerContract, IClassFixture<RedisServerFixture>
{
    private readonly RedisCluster _cluster = new(redis.Server);

    public override async Task DisposeAsync() => await _cluster.DisposeAsync();

    protected override async Task<HubLifetimeManager<TestHub>> CreateServerAsync() =>
        (await _cluster.StartServerAsync()).Manager;

    protected override Task BarrierAsync(HubLifetimeManager<TestHub> sender) => _cluster.BarrierAsync(sender);
}
