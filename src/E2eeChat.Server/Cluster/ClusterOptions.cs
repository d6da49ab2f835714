using E2eeChat.Domain.Common;

namespace E2eeChat.Server.Cluster;

/// <summary>Who this instance is in the cluster; bound from the <c>Instance</c> section.</summary>
public sealed class ClusterOptions : IValidatedOptions
{
    public const string SectionName = "Instance";

    /// <summary>A name unique in the cluster; reported by /health/ready when health details are shown.</summary>
    public string Name { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Prefix of every Redis key this app writes (presence, heartbeats, rate limits).</summary>
    public string KeyPrefix { get; set; } = "e2eechat";

    /// <summary>How long a silent instance's connections still count for presence.</summary>
    public TimeSpan InstanceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.Any(char.IsWhiteSpace))
        {
            throw new InvalidOperationException("Instance:Name and Instance:KeyPrefix must be non-empty; the prefix without white space.");
        }
        if (InstanceTimeout < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException("Instance:InstanceTimeout must be at least one second.");
        }
    }
}
