namespace E2eeChat.Domain.Keys;

/// <summary>Owns each device's prekeys and the rule that a one-time key is handed out once.</summary>
public interface IPrekeyStore
{
    /// <summary>
    /// Stores an upload in one transaction: each kind it names replaces that kind, the others stay.
    /// False when the device does not exist.
    /// </summary>
    Task<bool> StoreAsync(Guid userId, int deviceId, PrekeyUpload upload, CancellationToken cancellationToken);

    /// <summary>
    /// Builds the bundle of one device, or of every device when <paramref name="deviceId"/> is null,
    /// claiming at most one one-time key of each kind per device and deleting it in the same
    /// transaction, so that concurrent claims never receive the same key. Devices without a signed
    /// prekey or a last-resort Kyber prekey are left out, and keep their one-time keys. Null when the
    /// device does not exist.
    /// </summary>
    Task<IReadOnlyList<DeviceBundle>?> ClaimAsync(Guid userId, int? deviceId, CancellationToken cancellationToken);

    Task<PrekeyCounts> CountAsync(Guid userId, int deviceId, CancellationToken cancellationToken);

    /// <summary>The device's signed prekey and last-resort Kyber prekey, without claiming anything.</summary>
    Task<RepeatedUseKeys> GetRepeatedUseKeysAsync(Guid userId, int deviceId, CancellationToken cancellationToken);
}
