using System.Text.Json;
using System.Text.Json.Serialization;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Server.Json;

/// <summary>
/// Writes an envelope in its v1 wire shape straight from the domain record: it runs for
/// every delivered envelope (REST and hub), so it allocates nothing of its own.
/// </summary>
public sealed class EnvelopeJsonConverter : JsonConverter<Envelope>
{
    public override Envelope Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Envelopes are written by the server, never read from clients.");

    public override void Write(Utf8JsonWriter writer, Envelope value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString("id", value.Id);
        writer.WriteString("messageId", value.MessageId);
        writer.WriteNumber("type", value.Type);
        // A sealed-sender envelope sent without authentication has no source: the fields are absent.
        if (value.SourceUserId is { } sourceUserId && value.SourceDeviceId is { } sourceDeviceId)
        {
            writer.WriteString("sourceUserId", sourceUserId);
            writer.WriteNumber("sourceDeviceId", sourceDeviceId);
        }
        if (value.RoomId is { } roomId)
        {
            writer.WriteString("roomId", roomId);
        }
        writer.WriteNumber("destinationDeviceId", value.DestinationDeviceId);
        writer.WriteNumber("timestamp", value.Timestamp);
        writer.WriteNumber("serverTimestamp", value.ServerTimestamp);
        writer.WriteBase64String("content", value.Content);
        if (value.ExpiresAt is { } expiresAt)
        {
            writer.WriteNumber("expiresAt", expiresAt);
        }
        writer.WriteEndObject();
    }
}
