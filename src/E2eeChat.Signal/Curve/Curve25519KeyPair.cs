using System.Security.Cryptography;

namespace E2eeChat.Signal.Curve;

/// <summary>
/// A Curve25519 key pair as libsignal holds one: the clamped 32-byte private key and the serialized
/// public key <c>0x05 ‖ u</c>. It signs with XEdDSA (identity keys, trust roots, server certificates).
/// </summary>
public sealed class Curve25519KeyPair
{
    public const int PrivateKeyLength = 32;

    private readonly byte[] _privateKey;

    private Curve25519KeyPair(byte[] privateKey, byte[] publicKey)
    {
        _privateKey = privateKey;
        PublicKey = publicKey;
    }

    /// <summary>The serialized public key, 33 bytes.</summary>
    public byte[] PublicKey { get; }

    public static Curve25519KeyPair Generate()
    {
        var privateKey = RandomNumberGenerator.GetBytes(PrivateKeyLength);
        try
        {
            return FromPrivateKey(privateKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    /// <summary>The key pair of a 32-byte private key, in libsignal's serialization (clamped here if it is not).</summary>
    public static Curve25519KeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeyLength)
        {
            throw new ArgumentException($"A Curve25519 private key is {PrivateKeyLength} bytes, not {privateKey.Length}.", nameof(privateKey));
        }
        Libsodium.EnsureInitialized();
        var clamped = privateKey.ToArray();
        Clamp(clamped);
        var publicKey = new byte[Curve25519PublicKey.Length];
        publicKey[0] = Curve25519PublicKey.TypeByte;
        if (Libsodium.crypto_scalarmult_curve25519_base(publicKey.AsSpan(1), clamped) != 0)
        {
            CryptographicOperations.ZeroMemory(clamped);
            throw new ArgumentException("The private key gives no usable public key.", nameof(privateKey));
        }
        return new Curve25519KeyPair(clamped, publicKey);
    }

    /// <summary>A copy of the clamped private key, as libsignal's <c>PrivateKey.serialize()</c> gives it.</summary>
    public byte[] ExportPrivateKey() => (byte[])_privateKey.Clone();

    public byte[] Sign(ReadOnlySpan<byte> message) => XEdDsa.Sign(_privateKey, message);

    internal static void Clamp(Span<byte> scalar)
    {
        scalar[0] &= 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
    }
}
