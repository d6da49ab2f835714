namespace E2eeChat.Server.Cluster;

/// <summary>This process in the cluster: a display name and an id no other process shares.</summary>
public sealed class InstanceIdentity(ClusterOptions options)
{
    public string Name { get; } = options.Name;

    public string Id { get; } = $"{options.Name}:{Guid.NewGuid():N}";
}
