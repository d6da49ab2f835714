using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace E2eeChat.Scaleout;

/// <summary>Registers the Redis scale-out: the shared <see cref="RedisBackplane"/>, its start-up, and the lifetime manager.</summary>
public static class RedisScaleoutSignalRBuilderExtensions
{
    /// <summary>
    /// Scales SignalR out over Redis with options bound from <paramref name="configuration"/>, e.g.
    /// <c>builder.Configuration.GetSection("Redis")</c> holding <c>Configuration</c>, <c>ChannelPrefix</c> and <c>AckTimeout</c>.
    /// </summary>
    public static ISignalRServerBuilder AddRedisScaleout(this ISignalRServerBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.AddOptions<RedisScaleoutOptions>().Bind(configuration);
        return builder.AddRedisScaleoutCore();
    }

    /// <summary>Scales SignalR out over Redis with options set in code.</summary>
    public static ISignalRServerBuilder AddRedisScaleout(this ISignalRServerBuilder builder, Action<RedisScaleoutOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<RedisScaleoutOptions>().Configure(configure);
        return builder.AddRedisScaleoutCore();
    }

    private static ISignalRServerBuilder AddRedisScaleoutCore(this ISignalRServerBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RedisScaleoutOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisScaleoutOptions>, RedisScaleoutOptionsValidator>());
        services.TryAddSingleton<RedisBackplane>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisBackplaneStartup>());
        // Registered after AddSignalR's TryAdd of the in-memory manager, so this one is resolved.
        services.AddSingleton(typeof(HubLifetimeManager<>), typeof(RedisHubLifetimeManager<>));
        return builder;
    }
}
