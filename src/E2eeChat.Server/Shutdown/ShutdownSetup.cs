using E2eeChat.Server.Health;

namespace E2eeChat.Server.Shutdown;

internal static class ShutdownSetup
{
    public static IServiceCollection AddGracefulDrain(this IServiceCollection services, ShutdownOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<DrainState>();
        services.AddSingleton<GracefulDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<GracefulDrain>());
        services.AddHealthChecks().AddCheck<DrainHealthCheck>("drain", tags: [HealthEndpoints.ReadyTag]);
        // The host cancels stopping after this long; the drain must fit inside it, with room for the server to close.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ReadinessDelay + options.DrainTimeout + TimeSpan.FromSeconds(5));
        return services;
    }

    public static void UseDrainGate(this IApplicationBuilder app) => app.UseMiddleware<DrainGate>();
}
