using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace E2eeChat.HubClient.Protocol;

/// <summary>Writes JSON hub protocol records, each ended by the 0x1E record separator.</summary>
internal static class HubProtocolWriter
{
    public const byte RecordSeparator = 0x1E;

    public static ReadOnlyMemory<byte> HandshakeRequest { get; } =
        "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray();

    public static ReadOnlyMemory<byte> Ping { get; } = "{\"type\":6}\u001e"u8.ToArray();

    /// <summary>Writes an Invocation; <paramref name="invocationId"/> 0 means no reply is wanted.</summary>
    public static void WriteInvocation(Utf8JsonWriter writer, IBufferWriter<byte> output, long invocationId,
        string target, object?[] arguments, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("type"u8, (int)HubMessageType.Invocation);
        if (invocationId != 0)
        {
            Span<byte> digits = stackalloc byte[20];
            invocationId.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
            writer.WriteString("invocationId"u8, digits[..length]);
        }
        writer.WriteString("target"u8, target);
        writer.WriteStartArray("arguments"u8);
        foreach (var argument in arguments)
        {
            if (argument is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                // The runtime type, not object, so derived and anonymous types keep their fields.
                JsonSerializer.Serialize(writer, argument, argument.GetType(), options);
            }
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        EndRecord(writer, output);
    }

    /// <summary>Answers a server invocation that expected a result, which this client never gives.</summary>
    public static void WriteCompletionError(Utf8JsonWriter writer, IBufferWriter<byte> output,
        ReadOnlySpan<byte> invocationIdJson, string error)
    {
        writer.WriteStartObject();
        writer.WriteNumber("type"u8, (int)HubMessageType.Completion);
        writer.WritePropertyName("invocationId"u8);
        writer.WriteRawValue(invocationIdJson, skipInputValidation: true);
        writer.WriteString("error"u8, error);
        writer.WriteEndObject();
        EndRecord(writer, output);
    }

    private static void EndRecord(Utf8JsonWriter writer, IBufferWriter<byte> output)
    {
        writer.Flush();
        output.GetSpan(1)[0] = RecordSeparator;
        output.Advance(1);
    }
}
