using E2eeChat.Domain.Messages;
using MessagePack;

namespace E2eeChat.Server.Messages;

// Requests are read from JSON (REST and the JSON hub protocol, camelCase names) and from MessagePack
// (the keys below): one contract for both. Content is an EnvelopeContent: base64 text from JSON,
// bytes (msgpack bin) from MessagePack.

/// <summary>One envelope of a send. <c>destinationUserId</c> is only for room sends.</summary>
[MessagePackObject]
public sealed record OutgoingMessageRequest(
    [property: Key("destinationUserId")] Guid? DestinationUserId,
    [property: Key("destinationDeviceId")] int? DestinationDeviceId,
    [property: Key("destinationRegistrationId")] int? DestinationRegistrationId,
    [property: Key("type")] int? Type,
    [property: Key("content")] EnvelopeContent? Content);

[MessagePackObject]
public sealed record SendMessagesRequest(
    [property: Key("messages")] IReadOnlyList<OutgoingMessageRequest?>? Messages,
    [property: Key("timestamp")] long? Timestamp,
    [property: Key("messageId")] string? MessageId,
    [property: Key("online")] bool? Online,
    [property: Key("ttlSeconds")] int? TtlSeconds,
    [property: Key("urgent")] bool? Urgent = null)
{
    /// <summary>Once per send, on the hot path: a plain loop, no LINQ. A null entry stays null for the parser to refuse.</summary>
    public SendMessages ToDomain()
    {
        OutgoingMessage[]? messages = null;
        if (Messages is { } requested)
        {
            messages = new OutgoingMessage[requested.Count];
            for (var i = 0; i < messages.Length; i++)
            {
                if (requested[i] is { } m)
                {
                    messages[i] = new OutgoingMessage(m.DestinationUserId, m.DestinationDeviceId, m.DestinationRegistrationId, m.Type, m.Content);
                }
            }
        }
        return new SendMessages(messages, Timestamp, MessageId, Online, TtlSeconds, Urgent);
    }
}

public sealed record MailboxResponse(IReadOnlyList<Envelope> Envelopes, bool More);

public sealed record AckRequest(IReadOnlyList<Guid>? Ids);

public sealed record MessageStatusResponse(Guid MessageId, IReadOnlyList<RecipientStatus> Recipients);
