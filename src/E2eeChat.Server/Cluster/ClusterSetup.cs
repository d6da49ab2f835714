using E2eeChat.Server.Delivery;
using E2eeChat.Server.Health;
using E2eeChat.Server.Hosting;
using E2eeChat.Server.Hub;
using E2eeChat.Server.Limits;
using E2eeChat.Server.Metrics;
using E2eeChat.Server.Presence;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using StackExchange.Redis;

namespace E2eeChat.Server.Cluster;

/// <summary>
/// Single process or cluster: with <c>Redis:Configuration</c> set, the hub (SignalR's Redis scale-out), device
/// delivery, presence and rate limits go through one shared Redis connection; without it, everything stays in this process.
/// </summary>
internal static class ClusterSetup
{
    public static void AddClusterServices(this IServiceCollection services, ISignalRServerBuilder signalR, IConfiguration configuration)
    {
        var redis = configuration.BindOptions<RedisConnectionOptions>(RedisConnectionOptions.SectionName);
        services.AddSingleton<LocalRateLimiter>();
        services.AddSingleton<HubDeviceLimits>();
        if (!redis.IsConfigured)
        {
            services.AddSingleton<IRequestRateLimiter>(sp =>
                new MeteredRateLimiter(sp.GetRequiredService<LocalRateLimiter>(), sp.GetRequiredService<E2eeChatMetrics>()));
            services.AddSingleton<IDeviceBus, LocalDeviceBus>();
            services.AddSingleton<IPresenceTracker, LocalPresenceTracker>();
            return;
        }
        // Parsed now, so a bad setting fails start-up rather than the first connection.
        var redisConfiguration = redis.ToConfigurationOptions();
        services.AddSingleton(sp =>
            RedisMultiplexer.Connect(redisConfiguration, sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RedisMultiplexer))));
        signalR.AddStackExchangeRedis();
        services.AddOptions<RedisOptions>().Configure<IConnectionMultiplexer>((options, multiplexer) =>
            // Handing over a multiplexer that is not connected would fail the manager's first subscriptions once and
            // for good; failing here instead makes it try again with the next hub connection.
            options.ConnectionFactory = _ => multiplexer.Answers()
                ? Task.FromResult(multiplexer)
                : Task.FromException<IConnectionMultiplexer>(
                    new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "Redis does not answer yet.")));
        services.AddSingleton<RedisRateLimiter>();
        services.AddSingleton<IRequestRateLimiter>(sp =>
            new MeteredRateLimiter(sp.GetRequiredService<RedisRateLimiter>(), sp.GetRequiredService<E2eeChatMetrics>()));
        services.AddSingleton<IDeviceBus, RedisDeviceBus>();
        services.AddSingleton<IPresenceTracker, RedisPresenceTracker>();
        services.AddSingleton<ClusterHeartbeat>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterHeartbeat>());
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthEndpoints.ReadyTag]);
    }

    /// <summary>In cluster mode, hub connections wait for Redis (<see cref="HubConnectGate"/>).</summary>
    public static void UseHubConnectGate(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetRequiredService<IServiceProviderIsService>().IsService(typeof(IConnectionMultiplexer)))
        {
            app.UseWhen(context => context.Request.Path.StartsWithSegments(ChatHub.Path), hub => hub.UseMiddleware<HubConnectGate>());
        }
    }
}
