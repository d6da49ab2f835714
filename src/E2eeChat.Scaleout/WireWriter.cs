using System.Text;

namespace E2eeChat.Scaleout;

/// <summary>
/// Writes the scale-out wire format into a buffer sized beforehand with the <c>*Size</c> helpers:
/// unsigned LEB128 integers, and strings and byte runs prefixed with their length.
/// </summary>
internal ref struct WireWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _position;

    public readonly int Position => _position;

    public static int VarIntSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int StringSize(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        return VarIntSize((ulong)length) + length;
    }

    public static int BytesSize(int length) => VarIntSize((ulong)length) + length;

    public void WriteByte(byte value) => _buffer[_position++] = value;

    public void WriteVarInt(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _buffer[_position++] = (byte)value;
    }

    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarInt((ulong)length);
        _position += Encoding.UTF8.GetBytes(value, _buffer[_position..]);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarInt((ulong)value.Length);
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    public void WriteServerId(ServerId server)
    {
        server.Write(_buffer[_position..]);
        _position += ServerId.Size;
    }
}
