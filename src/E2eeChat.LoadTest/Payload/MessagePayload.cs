using System.Buffers.Binary;

namespace E2eeChat.LoadTest.Payload;

/// <summary>What the tool writes at the start of every envelope's content.</summary>
/// <param name="StreamId">The sender stream (one sending device, or one drain worker).</param>
/// <param name="Sequence">1, 2, 3… within the stream.</param>
/// <param name="SentAt">When the send was made, as a <see cref="System.Diagnostics.Stopwatch"/> timestamp of this process.</param>
internal readonly record struct PayloadHeader(int StreamId, long Sequence, long SentAt);

/// <summary>
/// The content of a load-test envelope: a 24-byte header (magic, stream, sequence, send time),
/// then random bytes up to the message size. The server never reads content, so this is as good
/// as ciphertext for it, and it lets the receiver measure latency, loss, duplicates and order.
/// </summary>
internal static class MessagePayload
{
    public const int HeaderSize = 24;

    /// <summary>"E2LT": content without it did not come from this tool.</summary>
    private const uint Magic = 0x544C3245;

    public static byte[] Create(PayloadHeader header, ReadOnlySpan<byte> padding, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, HeaderSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(padding.Length, size - HeaderSize, nameof(padding));
        var content = new byte[size];
        WriteHeader(content, header);
        padding[..(size - HeaderSize)].CopyTo(content.AsSpan(HeaderSize));
        return content;
    }

    public static void WriteHeader(Span<byte> destination, PayloadHeader header)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], header.StreamId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], header.Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], header.SentAt);
    }

    /// <summary>Reads the header from the first <see cref="HeaderSize"/> bytes of content; false when they are not ours.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> content, out PayloadHeader header)
    {
        if (content.Length < HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(content) != Magic)
        {
            header = default;
            return false;
        }
        header = new PayloadHeader(
            BinaryPrimitives.ReadInt32LittleEndian(content[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(content[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(content[16..]));
        return header.StreamId >= 0 && header.Sequence >= 0;
    }
}
