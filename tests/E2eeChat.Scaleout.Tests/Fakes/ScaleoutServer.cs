using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace E2eeChat.Scaleout.Tests.Fakes;

/// <summary>
/// One hub instance as a host would compose it: its own service provider with SignalR and
/// <c>AddRedisScaleout</c>, so its own backplane, and a probe connection other tests never see.
/// </summary>
public sealed class ScaleoutServer : IAsyncDisposable
{
    internal ScaleoutServer(ServiceProvider services, TestClient? probe)
    {
        Services = services;
        Probe = probe;
        Manager = (RedisHubLifetimeManager<TestHub>)services.GetRequiredService<HubLifetimeManager<TestHub>>();
        Backplane = services.GetRequiredService<RedisBackplane>();
    }

    public ServiceProvider Services { get; }

    public RedisHubLifetimeManager<TestHub> Manager { get; }

    public RedisBackplane Backplane { get; }

    /// <summary>A connection that messages to this server can be ordered behind; see <see cref="RedisCluster.BarrierAsync"/>.</summary>
    public TestClient? Probe { get; }

    public async ValueTask DisposeAsync()
    {
        Probe?.Dispose();
        await Services.DisposeAsync();
    }
}
