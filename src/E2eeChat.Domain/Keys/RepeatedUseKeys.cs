using System.Buffers.Binary;
using System.Security.Cryptography;

namespace E2eeChat.Domain.Keys;

/// <summary>
/// A device's keys that serve more than one session: the signed EC prekey and the last-resort Kyber
/// prekey. Either is null until uploaded.
/// </summary>
public sealed record RepeatedUseKeys(Prekey? SignedPreKey, Prekey? PqLastResortPreKey)
{
    public const int DigestLength = 32;

    /// <summary>
    /// Signal-Server's <c>/v2/keys/check</c> digest: SHA-256 of the identity key, then the signed
    /// prekey's id (8 bytes, big-endian) and public key, then the last-resort key's id and public key,
    /// each in libsignal's serialized form. Null when either key is missing.
    /// </summary>
    public byte[]? Digest(byte[] identityKey)
    {
        ArgumentNullException.ThrowIfNull(identityKey);
        if (SignedPreKey is not { } signed || PqLastResortPreKey is not { } lastResort)
        {
            return null;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> id = stackalloc byte[sizeof(long)];
        hash.AppendData(identityKey);
        BinaryPrimitives.WriteInt64BigEndian(id, signed.KeyId);
        hash.AppendData(id);
        hash.AppendData(signed.PublicKey);
        BinaryPrimitives.WriteInt64BigEndian(id, lastResort.KeyId);
        hash.AppendData(id);
        hash.AppendData(lastResort.PublicKey);
        return hash.GetHashAndReset();
    }
}
