using System.Security.Cryptography;
using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Common;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Keys;

/// <summary>The public-key directory: devices upload their prekeys, others claim bundles to start sessions.</summary>
public sealed class PrekeyDirectory(
    IPrekeyStore store, IAccountStore accounts, IIdentityKeySignatures signatures, PrekeyOptions options)
{
    /// <summary>
    /// Stores a device's upload once every key has the right shape (400 otherwise) and every signed key
    /// carries the account identity key's signature (422 otherwise); a refused upload stores nothing.
    /// </summary>
    public async Task UploadAsync(Guid userId, int deviceId, UploadPrekeys request, CancellationToken cancellationToken)
    {
        var upload = PrekeyRules.Validate(request, options.MaxStoredOneTimeKeys);
        if (upload.HasSignedKeys)
        {
            var account = await FindAccountAsync(userId, cancellationToken).ConfigureAwait(false);
            PrekeyRules.VerifySignatures(upload, signatures.For(account.IdentityKey));
        }
        if (!await store.StoreAsync(userId, deviceId, upload, cancellationToken).ConfigureAwait(false))
        {
            throw DeviceNotFound(deviceId);
        }
    }

    /// <summary>
    /// Whether the client and the server hold the same identity key, signed prekey and last-resort Kyber
    /// prekey for this device, by Signal-Server's digest (<see cref="RepeatedUseKeys.Digest"/>); throws
    /// <c>keys_mismatch</c> (409) when they do not, or when the server holds neither key.
    /// </summary>
    public async Task CheckAsync(Guid userId, int deviceId, string? digest, CancellationToken cancellationToken)
    {
        var claimed = Base64Field.Decode(digest, "digest", RepeatedUseKeys.DigestLength, ErrorCodes.InvalidRequest);
        var account = await FindAccountAsync(userId, cancellationToken).ConfigureAwait(false);
        var keys = await store.GetRepeatedUseKeysAsync(userId, deviceId, cancellationToken).ConfigureAwait(false);
        var expected = keys.Digest(account.IdentityKey);
        if (expected is null)
        {
            throw DomainException.Conflict(ErrorCodes.KeysMismatch,
                "The server holds no signed prekey and last-resort Kyber prekey for this device: upload them.");
        }
        if (!CryptographicOperations.FixedTimeEquals(expected, claimed))
        {
            throw DomainException.Conflict(ErrorCodes.KeysMismatch,
                "The server holds other keys than the digest says: upload the signed prekey and the last-resort Kyber prekey again.");
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

    private async Task<Account> FindAccountAsync(Guid userId, CancellationToken cancellationToken) =>
        await accounts.FindByIdAsync(userId, cancellationToken).ConfigureAwait(false)
        ?? throw DomainException.NotFound(ErrorCodes.UserNotFound, "The account does not exist.");

    private static DomainException DeviceNotFound(int deviceId) =>
        DomainException.NotFound(ErrorCodes.DeviceNotFound, $"Device {deviceId} does not exist.");
}
