using System.Globalization;
using System.Text;

namespace E2eeChat.Redis;

/// <summary>
/// One word of a command: text (sent as UTF-8), raw bytes or an integer. It is written
/// straight into the outgoing buffer, so building a command allocates nothing.
/// </summary>
public readonly struct RedisArgument : IEquatable<RedisArgument>
{
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _integer;

    private RedisArgument(string? text, ReadOnlyMemory<byte> bytes, long integer, RedisArgumentKind kind)
    {
        _text = text;
        _bytes = bytes;
        _integer = integer;
        Kind = kind;
    }

    internal RedisArgumentKind Kind { get; }

    internal string Text => _text!;

    internal ReadOnlyMemory<byte> Bytes => _bytes;

    internal long Integer => _integer;

    public static implicit operator RedisArgument(string? text) => FromString(text);

    public static implicit operator RedisArgument(byte[]? bytes) => FromBytes(bytes);

    public static implicit operator RedisArgument(ReadOnlyMemory<byte> bytes) => FromBytes(bytes);

    public static implicit operator RedisArgument(long integer) => FromInt64(integer);

    public static implicit operator RedisArgument(int integer) => FromInt64(integer);

    public static bool operator ==(RedisArgument left, RedisArgument right) => left.Equals(right);

    public static bool operator !=(RedisArgument left, RedisArgument right) => !left.Equals(right);

    /// <summary>A null string makes a missing argument, which is rejected when the command is sent.</summary>
    public static RedisArgument FromString(string? text) =>
        new(text, default, 0, text is null ? RedisArgumentKind.Missing : RedisArgumentKind.Text);

    public static RedisArgument FromBytes(byte[]? bytes) =>
        bytes is null ? default : new(null, bytes, 0, RedisArgumentKind.Bytes);

    public static RedisArgument FromBytes(ReadOnlyMemory<byte> bytes) => new(null, bytes, 0, RedisArgumentKind.Bytes);

    public static RedisArgument FromInt64(long integer) => new(null, default, integer, RedisArgumentKind.Integer);

    public static RedisArgument FromInt32(int integer) => FromInt64(integer);

    public bool Equals(RedisArgument other) =>
        Kind == other.Kind && Kind switch
        {
            RedisArgumentKind.Text => string.Equals(_text, other._text, StringComparison.Ordinal),
            RedisArgumentKind.Bytes => _bytes.Span.SequenceEqual(other._bytes.Span),
            RedisArgumentKind.Integer => _integer == other._integer,
            _ => true,
        };

    public override bool Equals(object? obj) => obj is RedisArgument other && Equals(other);

    public override int GetHashCode() => Kind switch
    {
        RedisArgumentKind.Text => StringComparer.Ordinal.GetHashCode(_text!),
        RedisArgumentKind.Integer => _integer.GetHashCode(),
        RedisArgumentKind.Bytes => _bytes.Length,
        _ => 0,
    };

    public override string ToString() => Kind switch
    {
        RedisArgumentKind.Text => _text!,
        RedisArgumentKind.Bytes => Encoding.UTF8.GetString(_bytes.Span),
        RedisArgumentKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        _ => "(missing)",
    };
}

internal enum RedisArgumentKind : byte
{
    Missing,
    Text,
    Bytes,
    Integer,
}
