using System.Text.Json.Serialization;
using E2eeChat.Domain.Keys;

namespace E2eeChat.Server.Keys;

/// <summary>One key: <c>keyId</c> 0..2^31-1, <c>publicKey</c> and <c>signature</c> in base64 (one-time EC keys have no signature).</summary>
public sealed record PrekeyRequest(long? KeyId, string? PublicKey, string? Signature)
{
    public static PrekeyInput? ToDomain(PrekeyRequest? key) =>
        key is null ? null : new PrekeyInput(key.KeyId, key.PublicKey, key.Signature);
}

/// <summary>Each kind named replaces that kind of the caller's device; kinds left out stay as they are.</summary>
public sealed record UploadPrekeysRequest(
    PrekeyRequest? SignedPreKey,
    PrekeyRequest? PqLastResortPreKey,
    IReadOnlyList<PrekeyRequest?>? PreKeys,
    IReadOnlyList<PrekeyRequest?>? PqPreKeys)
{
    public UploadPrekeys ToDomain() => new(
        PrekeyRequest.ToDomain(SignedPreKey),
        PrekeyRequest.ToDomain(PqLastResortPreKey),
        PreKeys?.Select(PrekeyRequest.ToDomain).ToArray(),
        PqPreKeys?.Select(PrekeyRequest.ToDomain).ToArray());
}

/// <summary>
/// Base64 of Signal-Server's 32-byte digest: SHA-256(identityKey ‖ signedPreKey id (8 bytes, big-endian) ‖
/// signedPreKey.publicKey ‖ pqLastResortPreKey id (8 bytes, big-endian) ‖ pqLastResortPreKey.publicKey).
/// </summary>
public sealed record CheckKeysRequest(string? Digest);

public sealed record SignedPrekeyResponse(int KeyId, byte[] PublicKey, byte[] Signature)
{
    public static SignedPrekeyResponse From(Prekey key) => new(key.KeyId, key.PublicKey, key.Signature!);
}

public sealed record OneTimePrekeyResponse(int KeyId, byte[] PublicKey);

/// <summary>
/// One device's bundle. <c>preKey</c> is written as null when no one-time EC key is left;
/// <c>pqPreKey</c> is then still there: a one-time Kyber key, or else the last-resort one.
/// </summary>
public sealed record DeviceBundleResponse(
    int DeviceId,
    int RegistrationId,
    SignedPrekeyResponse SignedPreKey,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] OneTimePrekeyResponse? PreKey,
    SignedPrekeyResponse PqPreKey);

public sealed record PrekeyBundleResponse(byte[] IdentityKey, IReadOnlyList<DeviceBundleResponse> Devices)
{
    public static PrekeyBundleResponse From(PrekeyBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var devices = new DeviceBundleResponse[bundle.Devices.Count];
        for (var i = 0; i < devices.Length; i++)
        {
            var device = bundle.Devices[i];
            devices[i] = new DeviceBundleResponse(device.DeviceId, device.RegistrationId,
                SignedPrekeyResponse.From(device.SignedPreKey),
                device.PreKey is { } preKey ? new OneTimePrekeyResponse(preKey.KeyId, preKey.PublicKey) : null,
                SignedPrekeyResponse.From(device.PqPreKey));
        }
        return new PrekeyBundleResponse(bundle.IdentityKey, devices);
    }
}
