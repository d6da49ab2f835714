using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace E2eeChat.Domain.Security;

/// <summary>
/// Argon2id version 1.3 (RFC 9106), written in managed code because no Argon2
/// package can be installed here. The block compression lives in
/// <see cref="Argon2Compression"/>; this class owns the memory layout and indexing.
/// </summary>
internal static class Argon2id
{
    public const int Version = 0x13;
    public const int MinSaltLength = 8;
    public const int MinTagLength = 4;

    // Keeps blocks × 128 words inside one int-indexed array (16 GiB).
    public const int MaxMemoryKiB = int.MaxValue / Argon2Compression.BlockWords;
    public const int MaxParallelism = (1 << 24) - 1;

    private const int SyncPoints = 4;
    private const int TypeArgon2id = 2;
    private const int AddressesPerBlock = Argon2Compression.BlockWords;

    public static void DeriveBytes(
        ReadOnlySpan<byte> password,
        ReadOnlySpan<byte> salt,
        ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> associatedData,
        int memoryKiB,
        int iterations,
        int parallelism,
        Span<byte> tag)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parallelism, MaxParallelism);
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryKiB, 8 * parallelism);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(memoryKiB, MaxMemoryKiB);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        if (salt.Length < MinSaltLength)
        {
            throw new ArgumentException($"Salt must be at least {MinSaltLength} bytes.", nameof(salt));
        }

        if (tag.Length < MinTagLength)
        {
            throw new ArgumentException($"Tag must be at least {MinTagLength} bytes.", nameof(tag));
        }

        var geometry = new Geometry(memoryKiB, parallelism, iterations);
        // Pooled: a fresh 19 MiB array per hash costs a quarter of the time in page faults and
        // full GCs. Every word is written before it is read, so stale contents do not matter.
        int words = geometry.BlockCount * Argon2Compression.BlockWords;
        ulong[] memory = ArrayPool<ulong>.Shared.Rent(words);
        try
        {
            Span<byte> h0 = stackalloc byte[Blake2b.MaxDigestLength];
            ComputeH0(password, salt, secret, associatedData, memoryKiB, iterations, parallelism, tag.Length, h0);
            InitializeLanes(memory, h0, geometry);
            h0.Clear();
            FillMemory(memory, geometry);
            ComputeTag(memory, geometry, tag);
        }
        finally
        {
            // The blocks are password-derived; do not leave them for the next renter.
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(memory.AsSpan(0, words)));
            ArrayPool<ulong>.Shared.Return(memory);
        }
    }

    private static void ComputeH0(
        ReadOnlySpan<byte> password,
        ReadOnlySpan<byte> salt,
        ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> associatedData,
        int memoryKiB,
        int iterations,
        int parallelism,
        int tagLength,
        Span<byte> h0)
    {
        var hasher = new Blake2b(Blake2b.MaxDigestLength);
        hasher.UpdateLittleEndian((uint)parallelism);
        hasher.UpdateLittleEndian((uint)tagLength);
        hasher.UpdateLittleEndian((uint)memoryKiB);
        hasher.UpdateLittleEndian((uint)iterations);
        hasher.UpdateLittleEndian(Version);
        hasher.UpdateLittleEndian(TypeArgon2id);
        hasher.UpdateLittleEndian((uint)password.Length);
        hasher.Update(password);
        hasher.UpdateLittleEndian((uint)salt.Length);
        hasher.Update(salt);
        hasher.UpdateLittleEndian((uint)secret.Length);
        hasher.Update(secret);
        hasher.UpdateLittleEndian((uint)associatedData.Length);
        hasher.Update(associatedData);
        hasher.Finish(h0);
    }

    private static void InitializeLanes(ulong[] memory, ReadOnlySpan<byte> h0, Geometry geometry)
    {
        Span<byte> seed = stackalloc byte[Blake2b.MaxDigestLength + 8];
        Span<byte> block = stackalloc byte[Argon2Compression.BlockBytes];
        h0.CopyTo(seed);
        for (int lane = 0; lane < geometry.Lanes; lane++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(seed[(Blake2b.MaxDigestLength + 4)..], (uint)lane);
            for (int column = 0; column < 2; column++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(seed[Blake2b.MaxDigestLength..], (uint)column);
                Blake2b.HashVariableLength(seed, block);
                Span<ulong> target = BlockAt(memory, (lane * geometry.LaneLength) + column);
                for (int word = 0; word < Argon2Compression.BlockWords; word++)
                {
                    target[word] = BinaryPrimitives.ReadUInt64LittleEndian(block[(word * 8)..]);
                }
            }
        }

        CryptographicOperations.ZeroMemory(seed);
        CryptographicOperations.ZeroMemory(block);
    }

    private static void FillMemory(ulong[] memory, Geometry geometry)
    {
        var scratch = new LaneScratch[geometry.Lanes];
        for (int lane = 0; lane < scratch.Length; lane++)
        {
            scratch[lane] = new LaneScratch();
        }

        for (int pass = 0; pass < geometry.Iterations; pass++)
        {
            for (int slice = 0; slice < SyncPoints; slice++)
            {
                // Lanes only read other lanes' finished slices, so one slice's lanes are independent.
                if (geometry.Lanes == 1)
                {
                    FillSegment(memory, geometry, pass, slice, 0, scratch[0]);
                }
                else
                {
                    int currentPass = pass;
                    int currentSlice = slice;
                    Parallel.For(0, geometry.Lanes, lane =>
                        FillSegment(memory, geometry, currentPass, currentSlice, lane, scratch[lane]));
                }
            }
        }

        foreach (LaneScratch laneScratch in scratch)
        {
            laneScratch.Clear();
        }
    }

    private static void FillSegment(ulong[] memory, Geometry geometry, int pass, int slice, int lane, LaneScratch scratch)
    {
        bool dataIndependent = pass == 0 && slice < SyncPoints / 2;
        int first = pass == 0 && slice == 0 ? 2 : 0;
        Span<ulong> addresses = scratch.Addresses;
        if (dataIndependent)
        {
            Span<ulong> input = scratch.AddressInput;
            input.Clear();
            input[0] = (ulong)pass;
            input[1] = (ulong)lane;
            input[2] = (ulong)slice;
            input[3] = (ulong)geometry.BlockCount;
            input[4] = (ulong)geometry.Iterations;
            input[5] = TypeArgon2id;
            if (first != 0)
            {
                NextAddresses(scratch);
            }
        }

        int laneStart = lane * geometry.LaneLength;
        for (int index = first; index < geometry.SegmentLength; index++)
        {
            int column = (slice * geometry.SegmentLength) + index;
            int current = laneStart + column;
            int previous = column == 0 ? laneStart + geometry.LaneLength - 1 : current - 1;

            ulong pseudoRandom;
            if (dataIndependent)
            {
                if (index % AddressesPerBlock == 0)
                {
                    NextAddresses(scratch);
                }

                pseudoRandom = addresses[index % AddressesPerBlock];
            }
            else
            {
                pseudoRandom = memory[previous * Argon2Compression.BlockWords];
            }

            int referenceLane = pass == 0 && slice == 0
                ? lane
                : (int)((pseudoRandom >> 32) % (ulong)geometry.Lanes);
            int referenceColumn = ReferenceColumn(geometry, pass, slice, index, (uint)pseudoRandom, referenceLane == lane);
            int reference = (referenceLane * geometry.LaneLength) + referenceColumn;

            // Version 1.3 XORs each later pass into the block it overwrites.
            Argon2Compression.Compress(
                BlockAt(memory, previous),
                BlockAt(memory, reference),
                BlockAt(memory, current),
                xorIntoDestination: pass != 0,
                scratch.Compression);
        }
    }

    private static int ReferenceColumn(Geometry geometry, int pass, int slice, int index, uint j1, bool sameLane)
    {
        // The block just before the current one is excluded: it is the "previous" input already.
        long areaSize;
        if (pass == 0)
        {
            int finished = slice * geometry.SegmentLength;
            areaSize = sameLane ? finished + index - 1 : finished + (index == 0 ? -1 : 0);
        }
        else
        {
            int finished = geometry.LaneLength - geometry.SegmentLength;
            areaSize = sameLane ? finished + index - 1 : finished + (index == 0 ? -1 : 0);
        }

        ulong x = ((ulong)j1 * j1) >> 32;
        ulong y = ((ulong)areaSize * x) >> 32;
        ulong relative = (ulong)areaSize - 1 - y;
        ulong start = pass == 0 || slice == SyncPoints - 1 ? 0 : (ulong)((slice + 1) * geometry.SegmentLength);
        return (int)((start + relative) % (ulong)geometry.LaneLength);
    }

    private static void NextAddresses(LaneScratch scratch)
    {
        Span<ulong> input = scratch.AddressInput;
        input[6]++;
        Span<ulong> intermediate = scratch.AddressIntermediate;
        Argon2Compression.Compress(Argon2Compression.ZeroBlock, input, intermediate, xorIntoDestination: false, scratch.Compression);
        Argon2Compression.Compress(Argon2Compression.ZeroBlock, intermediate, scratch.Addresses, xorIntoDestination: false, scratch.Compression);
    }

    private static void ComputeTag(ulong[] memory, Geometry geometry, Span<byte> tag)
    {
        Span<ulong> final = stackalloc ulong[Argon2Compression.BlockWords];
        BlockAt(memory, geometry.LaneLength - 1).CopyTo(final);
        for (int lane = 1; lane < geometry.Lanes; lane++)
        {
            ReadOnlySpan<ulong> last = BlockAt(memory, (lane * geometry.LaneLength) + geometry.LaneLength - 1);
            for (int word = 0; word < final.Length; word++)
            {
                final[word] ^= last[word];
            }
        }

        Span<byte> bytes = stackalloc byte[Argon2Compression.BlockBytes];
        for (int word = 0; word < final.Length; word++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[(word * 8)..], final[word]);
        }

        Blake2b.HashVariableLength(bytes, tag);
        CryptographicOperations.ZeroMemory(bytes);
        final.Clear();
    }

    private static Span<ulong> BlockAt(ulong[] memory, int block) =>
        memory.AsSpan(block * Argon2Compression.BlockWords, Argon2Compression.BlockWords);

    private readonly record struct Geometry
    {
        public Geometry(int memoryKiB, int lanes, int iterations)
        {
            Lanes = lanes;
            Iterations = iterations;
            // Memory is rounded down to a whole number of segments per lane (RFC 9106 §3.2).
            SegmentLength = memoryKiB / (SyncPoints * lanes);
            LaneLength = SegmentLength * SyncPoints;
            BlockCount = LaneLength * lanes;
        }

        public int Lanes { get; }
        public int Iterations { get; }
        public int SegmentLength { get; }
        public int LaneLength { get; }
        public int BlockCount { get; }
    }

    /// <summary>Per-lane working blocks, allocated once per hash rather than per block.</summary>
    private sealed class LaneScratch
    {
        private readonly ulong[] _words = new ulong[Argon2Compression.BlockWords * (3 + Argon2Compression.ScratchBlocks)];

        public Span<ulong> Addresses => _words.AsSpan(0, Argon2Compression.BlockWords);
        public Span<ulong> AddressInput => _words.AsSpan(Argon2Compression.BlockWords, Argon2Compression.BlockWords);
        public Span<ulong> AddressIntermediate => _words.AsSpan(2 * Argon2Compression.BlockWords, Argon2Compression.BlockWords);
        public Span<ulong> Compression => _words.AsSpan(3 * Argon2Compression.BlockWords);

        public void Clear() => Array.Clear(_words);
    }
}
