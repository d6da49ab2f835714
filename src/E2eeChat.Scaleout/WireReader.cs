using System.Text;

namespace E2eeChat.Scaleout;

/// <summary>
/// Reads what <see cref="WireWriter"/> wrote. Byte runs come back as slices of the payload, not
/// copies: the payload of a received Redis message is ours to keep. Anything truncated or out of
/// range throws <see cref="InvalidDataException"/>.
/// </summary>
internal struct WireReader(ReadOnlyMemory<byte> payload)
{
    private readonly ReadOnlyMemory<byte> _payload = payload;
    private int _position;

    public readonly bool IsAtEnd => _position == _payload.Length;

    public byte ReadByte()
    {
        if (_position >= _payload.Length)
        {
            throw Truncated();
        }
        return _payload.Span[_position++];
    }

    public ulong ReadVarInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var next = ReadByte();
            value |= (ulong)(next & 0x7F) << shift;
            if (next < 0x80)
            {
                return value;
            }
        }
        throw new InvalidDataException("A scale-out message holds an integer longer than 64 bits.");
    }

    /// <summary>A length or an element count: each element takes at least a byte, so neither exceeds what is left.</summary>
    public int ReadCount()
    {
        var length = ReadVarInt();
        if (length > (ulong)(_payload.Length - _position))
        {
            throw Truncated();
        }
        return (int)length;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes().Span);

    public ReadOnlyMemory<byte> ReadBytes()
    {
        var length = ReadCount();
        var bytes = _payload.Slice(_position, length);
        _position += length;
        return bytes;
    }

    public ServerId ReadServerId()
    {
        if (_payload.Length - _position < ServerId.Size)
        {
            throw Truncated();
        }
        var server = ServerId.Read(_payload.Span[_position..]);
        _position += ServerId.Size;
        return server;
    }

    private static InvalidDataException Truncated() => new("A scale-out message ended too early.");
}
