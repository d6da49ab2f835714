using E2eeChat.Storage;

namespace E2eeChat.Server.Push;

/// <summary>Push wake-ups: the options, the VAPID key pair (start-up fails in cluster mode without it), the queue and its sender.</summary>
internal static class PushSetup
{
    public static void AddPushWakeUps(this IServiceCollection services, IConfiguration configuration, StorageOptions storage)
    {
        var options = new PushOptions();
        configuration.GetSection(PushOptions.SectionName).Bind(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(VapidKeys.Resolve(options, storage));
        services.AddSingleton<WakeUps>();
        services.AddHostedService<PushSender>();
    }
}
