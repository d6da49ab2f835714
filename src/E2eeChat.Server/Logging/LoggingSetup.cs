using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace E2eeChat.Server.Logging;

internal static class LoggingSetup
{
    /// <summary>
    /// Makes <see cref="RedactingLoggerFactory"/> the one logger factory, whatever providers and
    /// levels configuration chooses: no log level or format can show a secret.
    /// </summary>
    public static IServiceCollection AddRedactedLogging(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>()))));
        return services;
    }
}
