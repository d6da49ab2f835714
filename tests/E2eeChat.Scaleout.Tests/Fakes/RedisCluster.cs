using E2eeChat.Redis;
using E2eeChat.Testing.Processes;
using E2eeChat.Testing.Redis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace E2eeChat.Scaleout.Tests.Fakes;

/// <summary>
/// Hub instances of one test sharing one real redis-server, behind a channel prefix of their own
/// so that tests sharing the server never hear each other.
/// </summary>
public sealed class RedisCluster(RespServer redis) : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly List<ScaleoutServer> _servers = [];
    private int _lastBarrier;

    public string ChannelPrefix { get; } = $"test-{Guid.NewGuid():N}";

    /// <summary>Quick reconnects, so the outage tests do not wait out the production backoff.</summary>
    public string Configuration => redis.ConfigurationString + ",reconnectInitialDelay=50,reconnectMaxDelay=500,connectTimeout=2000";

    public IReadOnlyList<ScaleoutServer> Servers => _servers;

    /// <summary>Composes and starts an instance. With a probe, <see cref="BarrierAsync"/> can wait for it.</summary>
    public async Task<ScaleoutServer> StartServerAsync(bool withProbe = true, TimeSpan? ackTimeout = null,
        Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure?.Invoke(services);
        services.AddSignalR().AddRedisScaleout(options =>
        {
            options.Configuration = Configuration;
            options.ChannelPrefix = ChannelPrefix;
            options.AckTimeout = ackTimeout ?? TimeSpan.FromSeconds(5);
        });
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
        var probe = withProbe ? new TestClient() : null;
        var server = new ScaleoutServer(provider, probe);
        _servers.Add(server);
        if (probe is not null)
        {
            await server.Manager.OnConnectedAsync(probe.Connection);
        }
        return server;
    }

    /// <summary>
    /// Sends a marker from <paramref name="sender"/> to the probe of every other instance and waits for
    /// it. Redis delivers one publisher's messages to one subscriber in order, and an instance writes
    /// them to its connections as they come, so whatever <paramref name="sender"/> published before has
    /// been written by then.
    /// </summary>
    public async Task BarrierAsync(HubLifetimeManager<TestHub> sender)
    {
        foreach (var server in _servers)
        {
            if (ReferenceEquals(server.Manager, sender) || server.Probe is not { } probe)
            {
                continue;
            }
            var marker = $"barrier-{Interlocked.Increment(ref _lastBarrier)}";
            await sender.SendConnectionAsync(probe.ConnectionId, "Barrier", [marker]);
            while (true)
            {
                var message = await probe.ReadAsync();
                if (message is InvocationMessage { Target: "Barrier" } barrier && Equals(barrier.Arguments[0], marker))
                {
                    break;
                }
            }
        }
    }

    /// <summary>The channels of this cluster that Redis has subscribers for.</summary>
    public async Task<string[]> SubscribedChannelsAsync()
    {
        await using var connection = await RedisConnection.ConnectAsync(RedisOptions.Parse(redis.ConfigurationString));
        var reply = await connection.ExecuteAsync("PUBSUB", "CHANNELS", ChannelPrefix + ":*");
        var channels = new List<string>();
        foreach (var channel in reply.Elements)
        {
            channels.Add(channel.AsString()!);
        }
        return [.. channels];
    }

    public Task WaitUntilConnectedAsync() =>
        Wait.UntilAsync(() => _servers.TrueForAll(s => s.Backplane.IsConnected && s.Manager.UnconfirmedChannelCount == 0),
            Patience, "every instance to be connected to Redis with all its channels subscribed");

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}
