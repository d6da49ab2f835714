using System.Text.Json;
using System.Text.Json.Serialization;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Server.Json;

/// <summary>
/// Reads an outgoing envelope's <c>content</c> as base64 text, left for the send's parser to decode, so a
/// bad value gets its clear <c>invalid_envelope</c> error naming the envelope rather than a JSON error.
/// </summary>
public sealed class EnvelopeContentJsonConverter : JsonConverter<EnvelopeContent>
{
    public override EnvelopeContent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return EnvelopeContent.FromBase64(reader.GetString()!);
        }
        reader.Skip();
        return EnvelopeContent.Unreadable("must be a base64 string");
    }

    public override void Write(Utf8JsonWriter writer, EnvelopeContent value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Outgoing content is read from clients, never written.");
}
