using E2eeChat.Domain.Common;

namespace E2eeChat.Server.Metrics;

/// <summary>Bound from the <c>Metrics</c> section: where Prometheus scrapes this instance.</summary>
public sealed class MetricsOptions : IValidatedOptions
{
    public const string SectionName = "Metrics";

    /// <summary>Serve the Prometheus text at all. On by default: it names no user, token or content.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The scrape path.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// A port of its own for the scrape path (e.g. 9464). Set, the path is answered only there, and the public
    /// listener (the one nginx forwards to) answers it with 404; unset, the public listener serves it.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>The address the metrics port binds to; all interfaces by default, so Prometheus in another container reaches it.</summary>
    public string Host { get; set; } = "0.0.0.0";

    public void Validate()
    {
        if (string.IsNullOrEmpty(Path) || Path[0] != '/' || Path.Length < 2)
        {
            throw new InvalidOperationException($"{SectionName}:Path must be an absolute path such as /metrics, not '{Path}'.");
        }
        if (Port is < 1 or > 65535)
        {
            throw new InvalidOperationException($"{SectionName}:Port must be from 1 to 65535, not {Port}.");
        }
    }
}
