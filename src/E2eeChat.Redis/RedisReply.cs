using System.Globalization;
using System.Text;

namespace E2eeChat.Redis;

/// <summary>The five RESP2 reply types.</summary>
public enum RedisReplyKind : byte
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
}

/// <summary>
/// One reply from the server. Bulk strings and arrays may be null (<see cref="IsNull"/>);
/// arrays nest. A top-level error reply never reaches callers as a value: it is thrown
/// as <see cref="RedisServerException"/>. Errors nested in arrays stay values.
/// </summary>
public readonly struct RedisReply
{
    // string for simple strings and errors, byte[] for bulk strings, RedisReply[] for arrays.
    private readonly object? _value;
    private readonly long _integer;

    private RedisReply(RedisReplyKind kind, object? value, long integer)
    {
        Kind = kind;
        _value = value;
        _integer = integer;
    }

    public RedisReplyKind Kind { get; }

    /// <summary>True for a null bulk string (<c>$-1</c>) and a null array (<c>*-1</c>).</summary>
    public bool IsNull => _value is null && Kind is RedisReplyKind.BulkString or RedisReplyKind.Array;

    /// <summary>The elements of an array reply; empty for a null array.</summary>
    public ReadOnlySpan<RedisReply> Elements =>
        Kind == RedisReplyKind.Array ? (RedisReply[]?)_value : throw Unexpected("an array");

    internal static RedisReply SimpleString(string text) => new(RedisReplyKind.SimpleString, text, 0);

    internal static RedisReply Error(string message) => new(RedisReplyKind.Error, message, 0);

    internal static RedisReply Integer(long value) => new(RedisReplyKind.Integer, null, value);

    internal static RedisReply BulkString(byte[]? bytes) => new(RedisReplyKind.BulkString, bytes, 0);

    internal static RedisReply Array(RedisReply[]? elements) => new(RedisReplyKind.Array, elements, 0);

    /// <summary>Integer replies, and strings that hold an integer (as GET of a counter does).</summary>
    public long AsInteger()
    {
        switch (Kind)
        {
            case RedisReplyKind.Integer:
                return _integer;
            case RedisReplyKind.BulkString when _value is byte[] bytes
                && System.Buffers.Text.Utf8Parser.TryParse(bytes, out long parsed, out var consumed)
                && consumed == bytes.Length:
                return parsed;
            case RedisReplyKind.SimpleString when long.TryParse((string)_value!, NumberStyles.AllowLeadingSign,
                CultureInfo.InvariantCulture, out var parsed):
                return parsed;
            default:
                throw Unexpected("an integer");
        }
    }

    /// <summary>The bytes of a bulk string (null for a null bulk string); simple strings as UTF-8.</summary>
    public byte[]? AsBytes() => Kind switch
    {
        RedisReplyKind.BulkString => (byte[]?)_value,
        RedisReplyKind.SimpleString => Encoding.UTF8.GetBytes((string)_value!),
        _ => throw Unexpected("a string"),
    };

    /// <summary>Any non-array reply as text: bulk strings decoded as UTF-8, integers in invariant form.</summary>
    public string? AsString() => Kind switch
    {
        RedisReplyKind.SimpleString or RedisReplyKind.Error => (string)_value!,
        RedisReplyKind.BulkString => _value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null,
        RedisReplyKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        _ => throw Unexpected("a string"),
    };

    /// <summary>True when this is a bulk or simple string whose bytes equal <paramref name="utf8"/>.</summary>
    internal bool IsString(ReadOnlySpan<byte> utf8) => Kind switch
    {
        RedisReplyKind.BulkString => _value is byte[] bytes && utf8.SequenceEqual(bytes),
        RedisReplyKind.SimpleString => string.Equals((string)_value!, Encoding.UTF8.GetString(utf8), StringComparison.Ordinal),
        _ => false,
    };

    public override string ToString() => Kind switch
    {
        RedisReplyKind.Array when _value is RedisReply[] elements => $"Array[{elements.Length}]",
        _ when IsNull => $"{Kind}(null)",
        _ => $"{Kind}({AsString()})",
    };

    private RedisProtocolException Unexpected(string expected) =>
        new($"Expected {expected} reply but the server sent {this}.");
}
