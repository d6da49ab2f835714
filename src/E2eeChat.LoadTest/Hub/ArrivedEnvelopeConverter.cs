using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using E2eeChat.LoadTest.Payload;

namespace E2eeChat.LoadTest.Hub;

/// <summary>
/// Reads an <c>Envelope</c> event straight from the hub's JSON, decoding only the 24-byte header of
/// the content rather than all of it: this runs for every delivered envelope, on the connection's
/// receive loop, and allocates nothing.
/// </summary>
internal sealed class ArrivedEnvelopeConverter : JsonConverter<ArrivedEnvelope>
{
    private const int HeaderBase64Length = MessagePayload.HeaderSize / 3 * 4;

    public override ArrivedEnvelope Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("An envelope is a JSON object.");
        }
        Guid id = default;
        var deviceId = 0;
        var content = default(ContentSummary);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.GetGuid();
            }
            else if (reader.ValueTextEquals("destinationDeviceId"u8))
            {
                reader.Read();
                deviceId = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                content = ReadContent(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return new ArrivedEnvelope(id, deviceId, content.Header, content.IsOurs, content.Length);
    }

    public override void Write(Utf8JsonWriter writer, ArrivedEnvelope value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Arrived envelopes are only read.");

    private static ContentSummary ReadContent(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("An envelope's content is a base64 string.");
        }
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            // Not how the server writes base64, but still valid JSON: decode it the plain way.
            var bytes = reader.GetBytesFromBase64();
            return new ContentSummary(MessagePayload.TryReadHeader(bytes, out var decoded), decoded, bytes.Length);
        }
        var base64 = reader.ValueSpan;
        var length = DecodedLength(base64);
        if (base64.Length < HeaderBase64Length)
        {
            return new ContentSummary(false, default, length);
        }
        Span<byte> headerBytes = stackalloc byte[MessagePayload.HeaderSize];
        var status = Base64.DecodeFromUtf8(base64[..HeaderBase64Length], headerBytes, out _, out var written);
        if (status != OperationStatus.Done || written != MessagePayload.HeaderSize
            || !MessagePayload.TryReadHeader(headerBytes, out var header))
        {
            return new ContentSummary(false, default, length);
        }
        return new ContentSummary(true, header, length);
    }

    private static int DecodedLength(ReadOnlySpan<byte> base64)
    {
        var length = base64.Length / 4 * 3;
        if (base64.Length > 0 && base64[^1] == (byte)'=')
        {
            length--;
        }
        if (base64.Length > 1 && base64[^2] == (byte)'=')
        {
            length--;
        }
        return length;
    }

    private readonly record struct ContentSummary(bool IsOurs, PayloadHeader Header, int Length);
}
