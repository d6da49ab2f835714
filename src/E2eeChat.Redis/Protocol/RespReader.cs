using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace E2eeChat.Redis.Protocol;

/// <summary>
/// Parses RESP2 replies from received bytes. A reply that has not fully arrived yet is left
/// in the buffer untouched; bytes that cannot be RESP throw <see cref="RedisProtocolException"/>.
/// </summary>
internal static class RespReader
{
    // Deep enough for any reply a Lua script builds, shallow enough not to overflow the stack.
    private const int MaxDepth = 256;

    // Redis caps a line (inline command or status) far below this; more without CRLF means garbage.
    private const int MaxLineLength = 64 * 1024;

    // Redis's own proto-max-bulk-len default.
    private const long MaxBulkLength = 512L * 1024 * 1024;

    /// <summary>
    /// Reads one reply from the front of <paramref name="buffer"/> and slices it off.
    /// Returns false, leaving the buffer as it was, when the reply is incomplete.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out RedisReply reply)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryPeek(out var prefix) && prefix == (byte)'*')
        {
            // An array is checked for completeness before anything is allocated, so a large
            // reply arriving in many reads is walked again, not materialised again.
            var probe = reader;
            if (!TryParse(ref probe, 0, materialize: false, out _))
            {
                reply = default;
                return false;
            }
        }
        if (!TryParse(ref reader, 0, materialize: true, out reply))
        {
            return false;
        }
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static bool TryParse(ref SequenceReader<byte> reader, int depth, bool materialize, out RedisReply reply)
    {
        reply = default;
        if (!reader.TryRead(out var prefix))
        {
            return false;
        }
        switch (prefix)
        {
            case (byte)'+':
                if (!TryReadLine(ref reader, out var status))
                {
                    return false;
                }
                if (materialize)
                {
                    reply = RedisReply.SimpleString(DecodeStatus(status));
                }
                return true;
            case (byte)'-':
                if (!TryReadLine(ref reader, out var error))
                {
                    return false;
                }
                if (materialize)
                {
                    reply = RedisReply.Error(Encoding.UTF8.GetString(error));
                }
                return true;
            case (byte)':':
                if (!TryReadInteger(ref reader, out var integer))
                {
                    return false;
                }
                reply = RedisReply.Integer(integer);
                return true;
            case (byte)'$':
                return TryParseBulkString(ref reader, materialize, out reply);
            case (byte)'*':
                return TryParseArray(ref reader, depth, materialize, out reply);
            default:
                throw new RedisProtocolException(
                    $"Unexpected RESP type byte 0x{prefix:x2} ('{(char)prefix}') at the start of a reply.");
        }
    }

    private static bool TryParseBulkString(ref SequenceReader<byte> reader, bool materialize, out RedisReply reply)
    {
        reply = default;
        if (!TryReadInteger(ref reader, out var length))
        {
            return false;
        }
        if (length == -1)
        {
            reply = RedisReply.BulkString(null);
            return true;
        }
        if (length < -1 || length > MaxBulkLength)
        {
            throw new RedisProtocolException($"Invalid bulk string length {length}.");
        }
        if (reader.Remaining < length + 2)
        {
            return false;
        }
        if (materialize)
        {
            var bytes = length == 0 ? [] : new byte[length];
            reader.TryCopyTo(bytes);
            reply = RedisReply.BulkString(bytes);
        }
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new RedisProtocolException($"A bulk string of {length} bytes is not followed by CRLF.");
        }
        return true;
    }

    private static bool TryParseArray(ref SequenceReader<byte> reader, int depth, bool materialize, out RedisReply reply)
    {
        reply = default;
        if (depth >= MaxDepth)
        {
            throw new RedisProtocolException($"Reply nests arrays deeper than {MaxDepth} levels.");
        }
        if (!TryReadInteger(ref reader, out var count))
        {
            return false;
        }
        if (count == -1)
        {
            reply = RedisReply.Array(null);
            return true;
        }
        // Every element takes at least three bytes, so a count the buffer cannot hold is not
        // allocated until the bytes are there (the probe pass returns false first).
        if (count < -1 || count > int.MaxValue)
        {
            throw new RedisProtocolException($"Invalid array length {count}.");
        }
        if (reader.Remaining < count * 3)
        {
            return false;
        }
        RedisReply[]? elements = materialize ? (count == 0 ? [] : new RedisReply[count]) : null;
        for (var i = 0; i < count; i++)
        {
            if (!TryParse(ref reader, depth + 1, materialize, out var element))
            {
                return false;
            }
            if (elements is not null)
            {
                elements[i] = element;
            }
        }
        if (materialize)
        {
            reply = RedisReply.Array(elements);
        }
        return true;
    }

    private static bool TryReadInteger(ref SequenceReader<byte> reader, out long value)
    {
        value = 0;
        if (!TryReadLine(ref reader, out var line))
        {
            return false;
        }
        if (!Utf8Parser.TryParse(line, out value, out var consumed) || consumed != line.Length || line.IsEmpty)
        {
            throw new RedisProtocolException($"'{Encoding.UTF8.GetString(line)}' is not a RESP integer.");
        }
        return true;
    }

    private static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySpan<byte> line)
    {
        if (reader.TryReadTo(out line, "\r\n"u8, advancePastDelimiter: true))
        {
            if (line.Length > MaxLineLength)
            {
                throw new RedisProtocolException($"A reply line is longer than {MaxLineLength} bytes.");
            }
            return true;
        }
        if (reader.Remaining > MaxLineLength)
        {
            throw new RedisProtocolException($"No CRLF within {MaxLineLength} bytes of a reply line.");
        }
        return false;
    }

    private static string DecodeStatus(ReadOnlySpan<byte> status)
    {
        // The replies nearly every write gets, as interned literals instead of new strings.
        if (status.SequenceEqual("OK"u8))
        {
            return "OK";
        }
        if (status.SequenceEqual("PONG"u8))
        {
            return "PONG";
        }
        if (status.SequenceEqual("QUEUED"u8))
        {
            return "QUEUED";
        }
        return Encoding.UTF8.GetString(status);
    }
}
