using System.Security.Cryptography;

namespace E2eeChat.Signal.Curve;

/// <summary>
/// XEdDSA over Curve25519 keys as libsignal computes it: an Ed25519 signature by the Edwards form
/// of the X25519 key pair, where libsignal (unlike the XEdDSA paper, which negates the private
/// scalar instead) carries the Edwards public key's sign bit in the top bit of the signature's
/// last byte. Every group operation is libsodium's; see <see cref="MontgomeryToEdwards"/> for the rest.
/// </summary>
public static class XEdDsa
{
    public const int SignatureLength = 64;

    internal const int SignBitMask = 0x80;

    /// <summary>hash₁'s prefix from the XEdDSA paper: 2²⁵⁶ − 2, little-endian, keeps the nonce hash apart from the challenge hash.</summary>
    private static ReadOnlySpan<byte> NoncePrefix =>
    [
        0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];

    /// <summary>
    /// True when <paramref name="signature"/> is the XEdDSA signature of <paramref name="message"/> by the key
    /// whose libsignal serialization (<c>0x05 ‖ u</c>) is <paramref name="publicKey"/>. Anything malformed is false.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        XEdDsaPublicKey.TryCreate(publicKey) is { } key && key.Verify(message, signature);

    /// <summary>
    /// Signs <paramref name="message"/> with a 32-byte X25519 private key (clamped here, as libsignal does),
    /// using 64 fresh random bytes in the nonce, into the 64-byte <paramref name="signature"/>.
    /// </summary>
    public static void Sign(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        if (privateKey.Length != Curve25519KeyPair.PrivateKeyLength || signature.Length != SignatureLength)
        {
            throw new ArgumentException("The private key is 32 bytes and the signature 64.");
        }
        Libsodium.EnsureInitialized();
        Span<byte> secrets = stackalloc byte[(3 * Libsodium.ScalarLength) + (2 * Libsodium.NonReducedScalarLength)];
        secrets.Clear();
        var k = secrets[..32];
        var a = secrets[32..64];
        var r = secrets[64..96];
        var wide = secrets[96..160];
        var random = secrets[160..224];
        Span<byte> edwardsKey = stackalloc byte[Libsodium.PointLength];
        Span<byte> challenge = stackalloc byte[Libsodium.NonReducedScalarLength];
        Span<byte> h = stackalloc byte[Libsodium.ScalarLength];
        try
        {
            privateKey.CopyTo(k);
            Curve25519KeyPair.Clamp(k);

            // a = k mod L and A = aB, the Edwards public key whose sign bit travels in the signature.
            k.CopyTo(wide);
            Libsodium.crypto_core_ed25519_scalar_reduce(a, wide);
            Check(Libsodium.crypto_scalarmult_ed25519_base_noclamp(edwardsKey, a));
            var signBit = edwardsKey[^1] & SignBitMask;

            // r = hash₁(k ‖ M ‖ Z) mod L with 64 random bytes Z, and R = rB.
            RandomNumberGenerator.Fill(random);
            using (var nonceHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512))
            {
                nonceHash.AppendData(NoncePrefix);
                nonceHash.AppendData(k);
                nonceHash.AppendData(message);
                nonceHash.AppendData(random);
                nonceHash.GetHashAndReset(wide);
            }
            Libsodium.crypto_core_ed25519_scalar_reduce(r, wide);
            var bigR = signature[..32];
            Check(Libsodium.crypto_scalarmult_ed25519_base_noclamp(bigR, r));

            // h = SHA-512(R ‖ A ‖ M) mod L and s = r + h·a mod L, as Ed25519 verifies it.
            using (var challengeHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512))
            {
                challengeHash.AppendData(bigR);
                challengeHash.AppendData(edwardsKey);
                challengeHash.AppendData(message);
                challengeHash.GetHashAndReset(challenge);
            }
            Libsodium.crypto_core_ed25519_scalar_reduce(h, challenge);
            var s = signature[32..];
            Libsodium.crypto_core_ed25519_scalar_mul(s, h, a);
            Libsodium.crypto_core_ed25519_scalar_add(s, s, r);
            // s < L < 2²⁵³: the top bit is free for A's sign.
            s[^1] |= (byte)signBit;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secrets);
        }
    }

    public static byte[] Sign(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> message)
    {
        var signature = new byte[SignatureLength];
        Sign(privateKey, message, signature);
        return signature;
    }

    private static void Check(int result)
    {
        // Only a zero scalar gives the identity: a broken key or a 2⁻²⁵² accident, never worth a bad signature.
        if (result != 0)
        {
            throw new CryptographicException("libsodium refused a scalar multiplication.");
        }
    }
}
