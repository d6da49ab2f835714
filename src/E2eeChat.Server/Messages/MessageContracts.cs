using E2eeChat.Domain.Messages;

namespace E2eeChat.Server.Messages;

/// <summary>One envelope of a send. <c>destinationUserId</c> is only for room sends.</summary>
public sealed record OutgoingMessageRequest(
    Guid? DestinationUserId, int? DestinationDeviceId, int? DestinationRegistrationId, int? Type, string? Content);

public sealed record SendMessagesRequest(
    IReadOnlyList<OutgoingMessageRequest?>? Messages, long? Timestamp, string? MessageId, bool? Online, int? TtlSeconds)
{
    public SendMessages ToDomain() => new(
        Messages?.Select(m => m is null ? null! : new OutgoingMessage(
            m.DestinationUserId, m.DestinationDeviceId, m.DestinationRegistrationId, m.Type, m.Content)).ToArray(),
        Timestamp, MessageId, Online, TtlSeconds);
}

public sealed record MailboxResponse(IReadOnlyList<Envelope> Envelopes, bool More);

public sealed record AckRequest(IReadOnlyList<Guid>? Ids);

public sealed record MessageStatusResponse(Guid MessageId, IReadOnlyList<RecipientStatus> Recipients);
