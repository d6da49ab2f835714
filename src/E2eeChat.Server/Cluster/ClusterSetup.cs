using E2eeChat.Scaleout;
using E2eeChat.Server.Delivery;
using E2eeChat.Server.Health;
using E2eeChat.Server.Limits;
using E2eeChat.Server.Presence;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Cluster;

/// <summary>
/// Single process or cluster: with <c>Redis:Configuration</c> set, the hub, device delivery,
/// presence and rate limits go through Redis; without it, everything stays in this process.
/// </summary>
internal static class ClusterSetup
{
    public const string RedisSection = "Redis";

    public static void AddClusterServices(this IServiceCollection services, ISignalRServerBuilder signalR, IConfiguration configuration)
    {
        services.AddSingleton<LocalRateLimiter>();
        var redis = configuration.GetSection(RedisSection);
        if (string.IsNullOrWhiteSpace(redis["Configuration"]))
        {
            services.AddSingleton<IRequestRateLimiter>(sp => sp.GetRequiredService<LocalRateLimiter>());
            services.AddSingleton<IDeviceBus, LocalDeviceBus>();
            services.AddSingleton<IPresenceTracker, LocalPresenceTracker>();
            return;
        }
        signalR.AddRedisScaleout(redis);
        services.AddSingleton<IRequestRateLimiter, RedisRateLimiter>();
        services.AddSingleton<IDeviceBus, RedisDeviceBus>();
        services.AddSingleton<IPresenceTracker, RedisPresenceTracker>();
        services.AddHostedService<ClusterHeartbeat>();
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthEndpoints.ReadyTag]);
    }
}
