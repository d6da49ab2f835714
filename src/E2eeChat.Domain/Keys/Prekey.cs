namespace E2eeChat.Domain.Keys;

/// <summary>
/// One public prekey in libsignal's serialized form. Signed EC, Kyber last-resort and one-time
/// Kyber prekeys carry the identity key's 64-byte signature; one-time EC prekeys carry none.
/// </summary>
public sealed record Prekey(int KeyId, byte[] PublicKey, byte[]? Signature);
