namespace E2eeChat.Server.Cluster;

/// <summary>Who this instance is in the cluster; bound from the <c>Instance</c> section.</summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Instance";

    /// <summary>A name unique in the cluster; reported by /health/ready when health details are shown.</summary>
    public string Name { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Prefix of every Redis key and channel this app uses besides the hub's own.</summary>
    public string KeyPrefix { get; set; } = "e2eechat";

    /// <summary>How long a silent instance's connections still count for presence.</summary>
    public TimeSpan InstanceTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
