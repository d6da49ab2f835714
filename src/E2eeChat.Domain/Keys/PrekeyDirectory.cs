using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Keys;

/// <summary>The public-key directory: devices upload their prekeys, others claim bundles to start sessions.</summary>
public sealed class PrekeyDirectory(IPrekeyStore store, PrekeyOptions options)
{
    public async Task UploadAsync(Guid userId, int deviceId, UploadPrekeys request, CancellationToken cancellationToken)
    {
        var upload = PrekeyRules.Validate(request, options.MaxStoredOneTimeKeys);
        if (!await store.StoreAsync(userId, deviceId, upload, cancellationToken).ConfigureAwait(false))
        {
            throw DeviceNotFound(deviceId);
        }
    }

    public Task<PrekeyCounts> CountAsync(Guid userId, int deviceId, CancellationToken cancellationToken) =>
        store.CountAsync(userId, deviceId, cancellationToken);

    /// <summary>
    /// Claims the bundle of one device of <paramref name="account"/>, or of all of them when
    /// <paramref name="deviceId"/> is null. Each call uses up at most one one-time key of each kind per device.
    /// </summary>
    public async Task<PrekeyBundle> ClaimAsync(Account account, int? deviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var devices = await store.ClaimAsync(account.UserId, deviceId, cancellationToken).ConfigureAwait(false)
            ?? throw (deviceId is { } missing
                ? DeviceNotFound(missing)
                : DomainException.NotFound(ErrorCodes.DeviceNotFound, "The user has no devices."));
        if (devices.Count == 0)
        {
            throw DomainException.NotFound(ErrorCodes.NoPrekeys, deviceId is { } id
                ? $"Device {id} has not uploaded a signed prekey and a last-resort Kyber prekey."
                : "No device of this user has uploaded a signed prekey and a last-resort Kyber prekey.");
        }
        return new PrekeyBundle(account.IdentityKey, devices);
    }

    private static DomainException DeviceNotFound(int deviceId) =>
        DomainException.NotFound(ErrorCodes.DeviceNotFound, $"Device {deviceId} does not exist.");
}
