using System.Numerics;

namespace E2eeChat.Signal.Curve;

/// <summary>
/// The birational map from a Curve25519 (Montgomery) u-coordinate to the y-coordinate of the Ed25519
/// point it stands for: y = (u − 1) / (u + 1) mod p. This is the one piece of curve
/// arithmetic that is ours: libsodium converts Edwards to Montgomery, not back. It only ever sees
/// public keys, so it need not run in constant time.
/// </summary>
internal static class MontgomeryToEdwards
{
    private static readonly BigInteger P = (BigInteger.One << 255) - 19;
    private static readonly BigInteger PMinusTwo = P - 2;

    /// <summary>
    /// Writes y as 32 little-endian bytes with the top bit clear: the compressed Edwards point once
    /// the sign of x is set there. False for u = −1, where the map is undefined (that u lies on the
    /// twist, not on the curve). Like libsignal, the unused top bit of u is ignored and a u of p or
    /// more is taken modulo p. Whether y belongs to a point is left to the verifier that decompresses it.
    /// </summary>
    public static bool TryConvert(ReadOnlySpan<byte> u, Span<byte> y)
    {
        if (u.Length != Libsodium.PointLength || y.Length != Libsodium.PointLength)
        {
            throw new ArgumentException("u and y are 32 bytes.");
        }
        Span<byte> masked = stackalloc byte[Libsodium.PointLength];
        u.CopyTo(masked);
        masked[31] &= 0x7F;
        var value = new BigInteger(masked, isUnsigned: true) % P;
        if (value == P - 1)
        {
            return false;
        }
        // Fermat inversion: (u + 1)^(p − 2) = 1 / (u + 1) mod p.
        var result = (value + P - 1) * BigInteger.ModPow(value + 1, PMinusTwo, P) % P;
        y.Clear();
        if (!result.TryWriteBytes(y, out _, isUnsigned: true))
        {
            throw new InvalidOperationException("y mod p does not fit in 32 bytes.");
        }
        return true;
    }
}
