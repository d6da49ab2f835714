using System.Text.Json;
using System.Text.Json.Serialization;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Server.Json;

/// <summary>
/// Reads an outgoing envelope's <c>content</c>, base64 text, decoding it straight from the UTF-8 request into
/// the one array the store is given (no string, no second buffer: it runs for every envelope). A bad value is
/// kept as unreadable rather than thrown, so the send's parser refuses it with <c>invalid_envelope</c> naming the
/// envelope rather than a JSON error.
/// </summary>
public sealed class EnvelopeContentJsonConverter : JsonConverter<EnvelopeContent>
{
    public override EnvelopeContent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return EnvelopeContent.Unreadable("must be a base64 string");
        }
        return reader.TryGetBytesFromBase64(out var bytes)
            ? EnvelopeContent.FromBytes(bytes)
            : EnvelopeContent.Unreadable("is not valid base64");
    }

    public override void Write(Utf8JsonWriter writer, EnvelopeContent value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Outgoing content is read from clients, never written.");
}
