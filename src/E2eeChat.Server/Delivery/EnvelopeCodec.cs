using System.Buffers.Binary;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Server.Delivery;

/// <summary>
/// A compact binary form of an envelope for the device channels: fixed-size fields, then the
/// content. It runs for every envelope that crosses instances, so it is written by hand. A sourceless
/// (sealed-sender) envelope travels as source device 0, which no device has, so the layout is unchanged.
/// </summary>
internal static class EnvelopeCodec
{
    // id, messageId, sourceUser, destinationUser (4 × 16) + type, sourceDevice, destinationDevice (3 × 4)
    // + sequence, timestamp, serverTimestamp (3 × 8) + room flag and id (17) + expiry flag and value (9).
    private const int FixedSize = (4 * 16) + (3 * 4) + (3 * 8) + 17 + 9;

    private const int NoSourceDevice = 0;

    public static int SizeOf(Envelope envelope) => FixedSize + envelope.Content.Length;

    public static void Write(Envelope envelope, Span<byte> destination)
    {
        var offset = 0;
        WriteGuid(envelope.Id, destination, ref offset);
        WriteGuid(envelope.MessageId, destination, ref offset);
        WriteGuid(envelope.SourceUserId ?? Guid.Empty, destination, ref offset);
        WriteGuid(envelope.DestinationUserId, destination, ref offset);
        WriteInt(envelope.Type, destination, ref offset);
        WriteInt(envelope.SourceDeviceId ?? NoSourceDevice, destination, ref offset);
        WriteInt(envelope.DestinationDeviceId, destination, ref offset);
        WriteLong(envelope.Sequence, destination, ref offset);
        WriteLong(envelope.Timestamp, destination, ref offset);
        WriteLong(envelope.ServerTimestamp, destination, ref offset);
        destination[offset++] = envelope.RoomId is null ? (byte)0 : (byte)1;
        WriteGuid(envelope.RoomId ?? Guid.Empty, destination, ref offset);
        destination[offset++] = envelope.ExpiresAt is null ? (byte)0 : (byte)1;
        WriteLong(envelope.ExpiresAt ?? 0, destination, ref offset);
        envelope.Content.CopyTo(destination[offset..]);
    }

    public static Envelope Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < FixedSize)
        {
            throw new FormatException("An envelope on a device channel is shorter than its fixed part.");
        }
        var offset = 0;
        var id = ReadGuid(source, ref offset);
        var messageId = ReadGuid(source, ref offset);
        var sourceUser = ReadGuid(source, ref offset);
        var destinationUser = ReadGuid(source, ref offset);
        var type = ReadInt(source, ref offset);
        var sourceDevice = ReadInt(source, ref offset);
        var destinationDevice = ReadInt(source, ref offset);
        var sequence = ReadLong(source, ref offset);
        var timestamp = ReadLong(source, ref offset);
        var serverTimestamp = ReadLong(source, ref offset);
        var hasRoom = source[offset++] == 1;
        var room = ReadGuid(source, ref offset);
        var hasExpiry = source[offset++] == 1;
        var expiresAt = ReadLong(source, ref offset);
        var hasSource = sourceDevice != NoSourceDevice;
        return new Envelope(id, messageId, type, hasSource ? sourceUser : null, hasSource ? sourceDevice : null,
            hasRoom ? room : null, destinationUser,
            destinationDevice, sequence, timestamp, serverTimestamp, source[offset..].ToArray(), hasExpiry ? expiresAt : null);
    }

    private static void WriteGuid(Guid value, Span<byte> destination, ref int offset)
    {
        value.TryWriteBytes(destination.Slice(offset, 16));
        offset += 16;
    }

    private static void WriteInt(int value, Span<byte> destination, ref int offset)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[offset..], value);
        offset += 4;
    }

    private static void WriteLong(long value, Span<byte> destination, ref int offset)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination[offset..], value);
        offset += 8;
    }

    private static Guid ReadGuid(ReadOnlySpan<byte> source, ref int offset)
    {
        var value = new Guid(source.Slice(offset, 16));
        offset += 16;
        return value;
    }

    private static int ReadInt(ReadOnlySpan<byte> source, ref int offset)
    {
        var value = BinaryPrimitives.ReadInt32LittleEndian(source[offset..]);
        offset += 4;
        return value;
    }

    private static long ReadLong(ReadOnlySpan<byte> source, ref int offset)
    {
        var value = BinaryPrimitives.ReadInt64LittleEndian(source[offset..]);
        offset += 8;
        return value;
    }
}
