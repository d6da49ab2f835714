namespace E2eeChat.Signal.Curve;

/// <summary>
/// A Curve25519 public key made ready to check XEdDSA signatures: its Edwards y-coordinate is
/// computed once (the costly step), so checking every signature of a key upload costs one map.
/// </summary>
public sealed class XEdDsaPublicKey
{
    private readonly byte[] _edwardsY;

    private XEdDsaPublicKey(byte[] edwardsY) => _edwardsY = edwardsY;

    /// <summary>The key of a libsignal serialization (<c>0x05 ‖ u</c>), or null when it is not one that can sign.</summary>
    public static XEdDsaPublicKey? TryCreate(ReadOnlySpan<byte> serialized)
    {
        if (!Curve25519PublicKey.IsWellFormed(serialized))
        {
            return null;
        }
        var y = new byte[Libsodium.PointLength];
        return MontgomeryToEdwards.TryConvert(serialized[1..], y) ? new XEdDsaPublicKey(y) : null;
    }

    /// <summary>True when <paramref name="signature"/> is this key's XEdDSA signature of <paramref name="message"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != XEdDsa.SignatureLength)
        {
            return false;
        }
        Libsodium.EnsureInitialized();
        // The signature's top bit is the sign of the Edwards key's x; with it, y becomes the compressed point A.
        Span<byte> edwardsKey = stackalloc byte[Libsodium.PointLength];
        _edwardsY.CopyTo(edwardsKey);
        edwardsKey[^1] |= (byte)(signature[^1] & XEdDsa.SignBitMask);
        // The sign bit has done its job; what remains is a plain Ed25519 signature (R ‖ s).
        Span<byte> ed25519Signature = stackalloc byte[XEdDsa.SignatureLength];
        signature.CopyTo(ed25519Signature);
        ed25519Signature[^1] &= 0x7F;
        return Libsodium.crypto_sign_ed25519_verify_detached(
            ed25519Signature, message, (ulong)message.Length, edwardsKey) == 0;
    }
}
