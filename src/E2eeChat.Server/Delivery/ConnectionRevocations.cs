using E2eeChat.Domain.Sessions;

namespace E2eeChat.Server.Delivery;

/// <summary>Closes the live connection of a device whose sessions just ended, on whichever instance holds it.</summary>
internal sealed class ConnectionRevocations(IDeviceBus bus) : ISessionRevocations
{
    public ValueTask DeviceRevokedAsync(Guid userId, int deviceId, string reason, CancellationToken cancellationToken) =>
        bus.RevokeAsync(new DeviceKey(userId, deviceId), reason, cancellationToken);
}
