using E2eeChat.Domain.Messages;
using MessagePack;
using MessagePack.Formatters;

namespace E2eeChat.Server.MsgPack;

/// <summary>
/// Writes an envelope in its v1 wire shape straight from the domain record, with <c>content</c> as msgpack
/// bin; the twin of <see cref="Json.EnvelopeJsonConverter"/>. It runs for every delivered envelope, so it
/// allocates nothing of its own.
/// </summary>
internal sealed class EnvelopeFormatter : IMessagePackFormatter<Envelope>
{
    public void Serialize(ref MessagePackWriter writer, Envelope value, MessagePackSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        var hasSource = value.SourceUserId is not null && value.SourceDeviceId is not null;
        writer.WriteMapHeader(7 + (hasSource ? 2 : 0) + (value.RoomId is null ? 0 : 1) + (value.ExpiresAt is null ? 0 : 1));
        writer.WriteString("id"u8);
        GuidFormatter.Instance.Serialize(ref writer, value.Id, options);
        writer.WriteString("messageId"u8);
        GuidFormatter.Instance.Serialize(ref writer, value.MessageId, options);
        writer.WriteString("type"u8);
        writer.Write(value.Type);
        if (hasSource)
        {
            // A sealed-sender envelope sent without authentication has no source: the keys are absent.
            writer.WriteString("sourceUserId"u8);
            GuidFormatter.Instance.Serialize(ref writer, value.SourceUserId!.Value, options);
            writer.WriteString("sourceDeviceId"u8);
            writer.Write(value.SourceDeviceId!.Value);
        }
        if (value.RoomId is { } roomId)
        {
            writer.WriteString("roomId"u8);
            GuidFormatter.Instance.Serialize(ref writer, roomId, options);
        }
        writer.WriteString("destinationDeviceId"u8);
        writer.Write(value.DestinationDeviceId);
        writer.WriteString("timestamp"u8);
        writer.Write(value.Timestamp);
        writer.WriteString("serverTimestamp"u8);
        writer.Write(value.ServerTimestamp);
        writer.WriteString("content"u8);
        writer.Write(value.Content.AsSpan());
        if (value.ExpiresAt is { } expiresAt)
        {
            writer.WriteString("expiresAt"u8);
            writer.Write(expiresAt);
        }
    }

    public Envelope Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("Envelopes are written by the server, never read from clients.");
}
