using E2eeChat.Server.Hosting;
using E2eeChat.Storage;

namespace E2eeChat.Server.Push;

/// <summary>Push wake-ups: the options, the VAPID key pair (start-up fails in cluster mode without it), the queue and its sender.</summary>
internal static class PushSetup
{
    public static void AddPushWakeUps(this IServiceCollection services, IConfiguration configuration, StorageOptions storage)
    {
        var options = configuration.BindOptions<PushOptions>(PushOptions.SectionName);
        services.AddSingleton(options);
        services.AddSingleton(VapidKeys.Resolve(options, storage));
        services.AddSingleton<WakeUps>();
        services.AddHostedService<PushSender>();
    }
}
