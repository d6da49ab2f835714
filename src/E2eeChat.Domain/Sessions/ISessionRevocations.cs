namespace E2eeChat.Domain.Sessions;

/// <summary>
/// Told when a device's sessions end (logout, removal, token replay), so live connections
/// to it can be closed; in a cluster the host fans this out to every instance.
/// </summary>
public interface ISessionRevocations
{
    ValueTask DeviceRevokedAsync(Guid userId, int deviceId, string reason, CancellationToken cancellationToken);
}
