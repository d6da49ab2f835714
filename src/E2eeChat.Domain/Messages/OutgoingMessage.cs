namespace E2eeChat.Domain.Messages;

/// <summary>One envelope of a send, as the client gives it. <see cref="DestinationUserId"/> is set for room sends.</summary>
public sealed record OutgoingMessage(
    Guid? DestinationUserId,
    int? DestinationDeviceId,
    int? DestinationRegistrationId,
    int? Type,
    EnvelopeContent? Content);

/// <summary>
/// A send: one envelope per destination device, plus the options that apply to all of them. <see cref="Urgent"/>
/// (default true) lets a stored send wake offline devices with a push.
/// </summary>
public sealed record SendMessages(
    IReadOnlyList<OutgoingMessage>? Messages,
    long? Timestamp,
    string? MessageId,
    bool? Online,
    int? TtlSeconds,
    bool? Urgent = null);

/// <summary>The answer to a send; a retry with the same client messageId gets the same answer.</summary>
public sealed record SendResult(Guid MessageId, long ServerTimestamp, bool NeedsSync);
