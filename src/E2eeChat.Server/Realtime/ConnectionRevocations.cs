using E2eeChat.Domain.Sessions;

namespace E2eeChat.Server.Realtime;

/// <summary>Closes the live connection of a device whose sessions just ended.</summary>
internal sealed class ConnectionRevocations(DeviceConnections connections) : ISessionRevocations
{
    public async ValueTask DeviceRevokedAsync(Guid userId, int deviceId, string reason, CancellationToken cancellationToken) =>
        await connections.RevokeAsync(new DeviceKey(userId, deviceId), reason).ConfigureAwait(false);
}
