namespace E2eeChat.Domain.Devices;

/// <summary>Owns the devices table: id allocation and the per-account device cap.</summary>
public interface IDeviceStore
{
    Task<IReadOnlyList<Device>> ListAsync(Guid userId, CancellationToken cancellationToken);

    Task<Device?> FindAsync(Guid userId, int deviceId, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a device under the lowest free id, atomically with the cap check;
    /// null when the account already has <paramref name="maxDevices"/> devices.
    /// </summary>
    Task<Device?> TryAddAsync(Guid userId, string name, int registrationId, DateTimeOffset now, int maxDevices,
        CancellationToken cancellationToken);

    /// <summary>Deletes the device with everything that hangs off it (sessions, keys, mailbox).</summary>
    Task<bool> RemoveAsync(Guid userId, int deviceId, CancellationToken cancellationToken);

    Task TouchAsync(Guid userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken);
}
