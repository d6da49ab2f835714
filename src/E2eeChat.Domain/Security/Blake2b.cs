using System.Buffers.Binary;
using System.Numerics;

namespace E2eeChat.Domain.Security;

/// <summary>
/// Unkeyed BLAKE2b (RFC 7693) with a digest of 1..64 bytes. .NET ships no BLAKE2,
/// and Argon2 is defined on top of it. An instance hashes one message: Finish wipes it.
/// </summary>
internal sealed class Blake2b
{
    public const int MaxDigestLength = 64;
    private const int BlockLength = 128;

    private static readonly ulong[] InitializationVector =
    [
        0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
        0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
    ];

    // Rounds 10 and 11 reuse the permutations of rounds 0 and 1.
    private static readonly byte[] Sigma =
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
    ];

    private readonly ulong[] _state = new ulong[8];
    private readonly ulong[] _work = new ulong[16];
    private readonly ulong[] _message = new ulong[16];
    private readonly byte[] _buffer = new byte[BlockLength];
    private readonly int _digestLength;
    private int _buffered;
    private ulong _bytesCompressed;

    public Blake2b(int digestLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digestLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digestLength, MaxDigestLength);
        _digestLength = digestLength;
        InitializationVector.CopyTo(_state, 0);
        // Parameter block word 0: digest length, no key, fanout 1, depth 1.
        _state[0] ^= 0x01010000UL ^ (ulong)digestLength;
    }

    public static void Hash(ReadOnlySpan<byte> input, Span<byte> digest)
    {
        var hasher = new Blake2b(digest.Length);
        hasher.Update(input);
        hasher.Finish(digest);
    }

    /// <summary>
    /// Argon2's variable-length hash H' (RFC 9106 §3.3): plain BLAKE2b up to 64
    /// bytes, beyond that a chain of 64-byte hashes of which each gives 32 bytes.
    /// </summary>
    public static void HashVariableLength(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var first = new Blake2b(Math.Min(output.Length, MaxDigestLength));
        first.UpdateLittleEndian((uint)output.Length);
        first.Update(input);
        if (output.Length <= MaxDigestLength)
        {
            first.Finish(output);
            return;
        }

        Span<byte> v = stackalloc byte[MaxDigestLength];
        first.Finish(v);
        v[..32].CopyTo(output);
        int written = 32;
        while (output.Length - written > MaxDigestLength)
        {
            Hash(v, v);
            v[..32].CopyTo(output[written..]);
            written += 32;
        }

        Hash(v, output[written..]);
        v.Clear();
    }

    public void Update(ReadOnlySpan<byte> input)
    {
        while (!input.IsEmpty)
        {
            // The last block must be compressed with the final flag, so a full
            // buffer is only flushed once more input proves it is not the last.
            if (_buffered == BlockLength)
            {
                _bytesCompressed += BlockLength;
                Compress(isLast: false);
                _buffered = 0;
            }

            int take = Math.Min(BlockLength - _buffered, input.Length);
            input[..take].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += take;
            input = input[take..];
        }
    }

    public void UpdateLittleEndian(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        Update(bytes);
    }

    public void Finish(Span<byte> digest)
    {
        if (digest.Length != _digestLength)
        {
            throw new ArgumentException($"Digest must be {_digestLength} bytes.", nameof(digest));
        }

        _bytesCompressed += (ulong)_buffered;
        _buffer.AsSpan(_buffered).Clear();
        Compress(isLast: true);

        Span<byte> full = stackalloc byte[MaxDigestLength];
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(full[(i * 8)..], _state[i]);
        }

        full[.._digestLength].CopyTo(digest);
        full.Clear();
        Array.Clear(_state);
        Array.Clear(_buffer);
        Array.Clear(_message);
        Array.Clear(_work);
    }

    private void Compress(bool isLast)
    {
        ulong[] v = _work;
        ulong[] m = _message;
        for (int i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(i * 8));
        }

        _state.CopyTo(v, 0);
        InitializationVector.CopyTo(v, 8);
        // Inputs are far below 2^64 bytes, so the high counter word stays zero.
        v[12] ^= _bytesCompressed;
        if (isLast)
        {
            v[14] = ~v[14];
        }

        for (int round = 0; round < 12; round++)
        {
            int s = round * 16;
            Mix(v, 0, 4, 8, 12, m[Sigma[s + 0]], m[Sigma[s + 1]]);
            Mix(v, 1, 5, 9, 13, m[Sigma[s + 2]], m[Sigma[s + 3]]);
            Mix(v, 2, 6, 10, 14, m[Sigma[s + 4]], m[Sigma[s + 5]]);
            Mix(v, 3, 7, 11, 15, m[Sigma[s + 6]], m[Sigma[s + 7]]);
            Mix(v, 0, 5, 10, 15, m[Sigma[s + 8]], m[Sigma[s + 9]]);
            Mix(v, 1, 6, 11, 12, m[Sigma[s + 10]], m[Sigma[s + 11]]);
            Mix(v, 2, 7, 8, 13, m[Sigma[s + 12]], m[Sigma[s + 13]]);
            Mix(v, 3, 4, 9, 14, m[Sigma[s + 14]], m[Sigma[s + 15]]);
        }

        for (int i = 0; i < 8; i++)
        {
            _state[i] ^= v[i] ^ v[i + 8];
        }
    }

    private static void Mix(ulong[] v, int a, int b, int c, int d, ulong x, ulong y)
    {
        v[a] = v[a] + v[b] + x;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 32);
        v[c] = v[c] + v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 24);
        v[a] = v[a] + v[b] + y;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 16);
        v[c] = v[c] + v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 63);
    }
}
