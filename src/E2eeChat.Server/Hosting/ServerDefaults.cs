using Microsoft.Extensions.Configuration.Memory;

namespace E2eeChat.Server.Hosting;

public static class ServerDefaults
{
    /// <summary>Where the embedded default listens when nothing else is configured.</summary>
    public const string Url = "http://127.0.0.1:5080";

    /// <summary>
    /// Settings that hold unless configuration says otherwise. They live in code, not in an
    /// appsettings.json that is only found when the server starts from its own directory.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["AllowedHosts"] = "*",
    };

    /// <summary>Puts <see cref="Settings"/> beneath every other configuration source.</summary>
    public static void AddServerDefaults(this ConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Settings });
    }
}
