using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace E2eeChat.Redis.Protocol;

/// <summary>Encodes a command as a RESP array of bulk strings, straight into the outgoing buffer.</summary>
internal static class RespWriter
{
    // A prefix byte, a long's digits with its sign, and CRLF.
    private const int MaxHeaderLength = 1 + 20 + 2;

    /// <summary>
    /// Throws for a command that cannot be sent. Called before anything is written, because
    /// half a frame in a shared connection would corrupt every command after it.
    /// </summary>
    public static void Validate(ReadOnlySpan<RedisArgument> arguments)
    {
        if (arguments.IsEmpty)
        {
            throw new ArgumentException("A command needs at least its name.", nameof(arguments));
        }
        for (var i = 0; i < arguments.Length; i++)
        {
            if (arguments[i].Kind == RedisArgumentKind.Missing)
            {
                throw new ArgumentException($"Argument {i} of the command is null.", nameof(arguments));
            }
        }
    }

    public static void WriteCommand(IBufferWriter<byte> output, ReadOnlySpan<RedisArgument> arguments)
    {
        WriteHeader(output, (byte)'*', arguments.Length);
        foreach (ref readonly var argument in arguments)
        {
            WriteArgument(output, in argument);
        }
    }

    private static void WriteArgument(IBufferWriter<byte> output, in RedisArgument argument)
    {
        switch (argument.Kind)
        {
            case RedisArgumentKind.Text:
                var text = argument.Text;
                WriteHeader(output, (byte)'$', Encoding.UTF8.GetByteCount(text));
                Encoding.UTF8.GetBytes(text, output);
                break;
            case RedisArgumentKind.Bytes:
                var bytes = argument.Bytes.Span;
                WriteHeader(output, (byte)'$', bytes.Length);
                output.Write(bytes);
                break;
            case RedisArgumentKind.Integer:
                Span<byte> digits = stackalloc byte[20];
                Utf8Formatter.TryFormat(argument.Integer, digits, out var length);
                WriteHeader(output, (byte)'$', length);
                output.Write(digits[..length]);
                break;
            default:
                throw new ArgumentException("A command argument is null.", nameof(argument));
        }
        WriteCrlf(output);
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte prefix, long value)
    {
        var span = output.GetSpan(MaxHeaderLength);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out var length);
        span[length + 1] = (byte)'\r';
        span[length + 2] = (byte)'\n';
        output.Advance(length + 3);
    }

    private static void WriteCrlf(IBufferWriter<byte> output)
    {
        var span = output.GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        output.Advance(2);
    }
}
