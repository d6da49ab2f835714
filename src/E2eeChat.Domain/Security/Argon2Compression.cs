using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace E2eeChat.Domain.Security;

/// <summary>
/// Argon2's compression function G (RFC 9106 §3.5–3.6). Nearly all of the hashing
/// time is spent here, so it has an AVX2 path that runs four BlaMka mixes at once,
/// and a portable scalar path that is also the reference the tests compare against.
/// </summary>
internal static class Argon2Compression
{
    public const int BlockWords = 128;
    public const int BlockBytes = BlockWords * sizeof(ulong);
    public const int ScratchBlocks = 2;

    public static ReadOnlySpan<ulong> ZeroBlock => Zero;

    private static readonly ulong[] Zero = new ulong[BlockWords];

    // Byte shuffles that rotate each 64-bit lane right by 24 and by 16 bits.
    private static readonly Vector256<byte> Rotate24 = Vector256.Create(
        (byte)3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10,
        3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);

    private static readonly Vector256<byte> Rotate16 = Vector256.Create(
        (byte)2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9,
        2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);

    /// <summary>
    /// destination = G(x, y), or destination ^= G(x, y). <paramref name="scratch"/>
    /// holds <see cref="ScratchBlocks"/> blocks so the hot loop never allocates.
    /// </summary>
    public static void Compress(
        ReadOnlySpan<ulong> x,
        ReadOnlySpan<ulong> y,
        Span<ulong> destination,
        bool xorIntoDestination,
        Span<ulong> scratch)
    {
        // The vector path reads through refs with no bounds checks, so lengths are checked once here.
        if (x.Length != BlockWords || y.Length != BlockWords || destination.Length != BlockWords
            || scratch.Length < ScratchBlocks * BlockWords)
        {
            throw new ArgumentException("Argon2 blocks are 128 words.");
        }

        Span<ulong> r = scratch[..BlockWords];
        Span<ulong> q = scratch.Slice(BlockWords, BlockWords);
        if (Avx2.IsSupported)
        {
            CompressVector(
                ref MemoryMarshal.GetReference(x),
                ref MemoryMarshal.GetReference(y),
                ref MemoryMarshal.GetReference(destination),
                xorIntoDestination,
                ref MemoryMarshal.GetReference(r),
                ref MemoryMarshal.GetReference(q));
            return;
        }

        for (int i = 0; i < BlockWords; i++)
        {
            ulong value = x[i] ^ y[i];
            r[i] = value;
            q[i] = value;
        }

        PermuteScalar(q);
        for (int i = 0; i < BlockWords; i++)
        {
            ulong value = q[i] ^ r[i];
            destination[i] = xorIntoDestination ? destination[i] ^ value : value;
        }
    }

    private static void CompressVector(
        ref ulong x, ref ulong y, ref ulong destination, bool xorIntoDestination, ref ulong r, ref ulong q)
    {
        for (nuint i = 0; i < BlockWords; i += 4)
        {
            Vector256<ulong> value = Vector256.LoadUnsafe(ref x, i) ^ Vector256.LoadUnsafe(ref y, i);
            value.StoreUnsafe(ref r, i);
            value.StoreUnsafe(ref q, i);
        }

        PermuteVector(ref q);
        for (nuint i = 0; i < BlockWords; i += 4)
        {
            Vector256<ulong> value = Vector256.LoadUnsafe(ref q, i) ^ Vector256.LoadUnsafe(ref r, i);
            if (xorIntoDestination)
            {
                value ^= Vector256.LoadUnsafe(ref destination, i);
            }

            value.StoreUnsafe(ref destination, i);
        }
    }

    /// <summary>Runs the vector path on one block, so tests can hold it to the scalar one.</summary>
    internal static void PermuteVector(Span<ulong> q)
    {
        if (!Avx2.IsSupported)
        {
            throw new PlatformNotSupportedException("AVX2 is not available.");
        }

        ArgumentOutOfRangeException.ThrowIfNotEqual(q.Length, BlockWords);
        PermuteVector(ref MemoryMarshal.GetReference(q));
    }

    // The block is an 8×8 matrix of 16-byte registers: P runs on each row, then each column.
    internal static void PermuteScalar(Span<ulong> q)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(q.Length, BlockWords);
        for (int row = 0; row < 8; row++)
        {
            PermuteScalar(q, row * 16, pairStride: 2);
        }

        for (int column = 0; column < 8; column++)
        {
            PermuteScalar(q, column * 2, pairStride: 16);
        }
    }

    private static void PermuteScalar(Span<ulong> q, int start, int pairStride)
    {
        int s = pairStride;
        ulong v0 = q[start], v1 = q[start + 1];
        ulong v2 = q[start + s], v3 = q[start + s + 1];
        ulong v4 = q[start + (2 * s)], v5 = q[start + (2 * s) + 1];
        ulong v6 = q[start + (3 * s)], v7 = q[start + (3 * s) + 1];
        ulong v8 = q[start + (4 * s)], v9 = q[start + (4 * s) + 1];
        ulong v10 = q[start + (5 * s)], v11 = q[start + (5 * s) + 1];
        ulong v12 = q[start + (6 * s)], v13 = q[start + (6 * s) + 1];
        ulong v14 = q[start + (7 * s)], v15 = q[start + (7 * s) + 1];

        Mix(ref v0, ref v4, ref v8, ref v12);
        Mix(ref v1, ref v5, ref v9, ref v13);
        Mix(ref v2, ref v6, ref v10, ref v14);
        Mix(ref v3, ref v7, ref v11, ref v15);
        Mix(ref v0, ref v5, ref v10, ref v15);
        Mix(ref v1, ref v6, ref v11, ref v12);
        Mix(ref v2, ref v7, ref v8, ref v13);
        Mix(ref v3, ref v4, ref v9, ref v14);

        q[start] = v0; q[start + 1] = v1;
        q[start + s] = v2; q[start + s + 1] = v3;
        q[start + (2 * s)] = v4; q[start + (2 * s) + 1] = v5;
        q[start + (3 * s)] = v6; q[start + (3 * s) + 1] = v7;
        q[start + (4 * s)] = v8; q[start + (4 * s) + 1] = v9;
        q[start + (5 * s)] = v10; q[start + (5 * s) + 1] = v11;
        q[start + (6 * s)] = v12; q[start + (6 * s) + 1] = v13;
        q[start + (7 * s)] = v14; q[start + (7 * s) + 1] = v15;
    }

    // BlaMka: BLAKE2b's G with each addition a + b replaced by a + b + 2·lo32(a)·lo32(b).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix(ref ulong a, ref ulong b, ref ulong c, ref ulong d)
    {
        a = a + b + (2 * (ulong)(uint)a * (uint)b);
        d = BitOperations.RotateRight(d ^ a, 32);
        c = c + d + (2 * (ulong)(uint)c * (uint)d);
        b = BitOperations.RotateRight(b ^ c, 24);
        a = a + b + (2 * (ulong)(uint)a * (uint)b);
        d = BitOperations.RotateRight(d ^ a, 16);
        c = c + d + (2 * (ulong)(uint)c * (uint)d);
        b = BitOperations.RotateRight(b ^ c, 63);
    }

    // Each P input splits into four vectors a=(v0..v3), b=(v4..v7), c=(v8..v11), d=(v12..v15),
    // so the four column mixes run as one vector mix; the diagonal mixes need b, c, d rotated.
    private static void PermuteVector(ref ulong q)
    {
        for (int row = 0; row < 8; row++)
        {
            nuint start = (nuint)(row * 16);
            Vector256<ulong> a = Vector256.LoadUnsafe(ref q, start);
            Vector256<ulong> b = Vector256.LoadUnsafe(ref q, start + 4);
            Vector256<ulong> c = Vector256.LoadUnsafe(ref q, start + 8);
            Vector256<ulong> d = Vector256.LoadUnsafe(ref q, start + 12);
            Round(ref a, ref b, ref c, ref d);
            a.StoreUnsafe(ref q, start);
            b.StoreUnsafe(ref q, start + 4);
            c.StoreUnsafe(ref q, start + 8);
            d.StoreUnsafe(ref q, start + 12);
        }

        for (int column = 0; column < 8; column++)
        {
            nuint start = (nuint)(column * 2);
            Vector256<ulong> a = LoadPairs(ref q, start, start + 16);
            Vector256<ulong> b = LoadPairs(ref q, start + 32, start + 48);
            Vector256<ulong> c = LoadPairs(ref q, start + 64, start + 80);
            Vector256<ulong> d = LoadPairs(ref q, start + 96, start + 112);
            Round(ref a, ref b, ref c, ref d);
            StorePairs(a, ref q, start, start + 16);
            StorePairs(b, ref q, start + 32, start + 48);
            StorePairs(c, ref q, start + 64, start + 80);
            StorePairs(d, ref q, start + 96, start + 112);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> LoadPairs(ref ulong q, nuint low, nuint high) =>
        Vector256.Create(Vector128.LoadUnsafe(ref q, low), Vector128.LoadUnsafe(ref q, high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePairs(Vector256<ulong> value, ref ulong q, nuint low, nuint high)
    {
        value.GetLower().StoreUnsafe(ref q, low);
        value.GetUpper().StoreUnsafe(ref q, high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref Vector256<ulong> a, ref Vector256<ulong> b, ref Vector256<ulong> c, ref Vector256<ulong> d)
    {
        MixVector(ref a, ref b, ref c, ref d);
        b = Avx2.Permute4x64(b, 0b00_11_10_01);
        c = Avx2.Permute4x64(c, 0b01_00_11_10);
        d = Avx2.Permute4x64(d, 0b10_01_00_11);
        MixVector(ref a, ref b, ref c, ref d);
        b = Avx2.Permute4x64(b, 0b10_01_00_11);
        c = Avx2.Permute4x64(c, 0b01_00_11_10);
        d = Avx2.Permute4x64(d, 0b00_11_10_01);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MixVector(ref Vector256<ulong> a, ref Vector256<ulong> b, ref Vector256<ulong> c, ref Vector256<ulong> d)
    {
        a = BlaMka(a, b);
        d = RotateRight32(d ^ a);
        c = BlaMka(c, d);
        b = Avx2.Shuffle((b ^ c).AsByte(), Rotate24).AsUInt64();
        a = BlaMka(a, b);
        d = Avx2.Shuffle((d ^ a).AsByte(), Rotate16).AsUInt64();
        c = BlaMka(c, d);
        Vector256<ulong> t = b ^ c;
        b = Avx2.ShiftRightLogical(t, 63) ^ (t + t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> BlaMka(Vector256<ulong> x, Vector256<ulong> y)
    {
        Vector256<ulong> product = Avx2.Multiply(x.AsUInt32(), y.AsUInt32());
        return x + y + product + product;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> RotateRight32(Vector256<ulong> x) =>
        Avx2.Shuffle(x.AsUInt32(), 0b10_11_00_01).AsUInt64();
}
