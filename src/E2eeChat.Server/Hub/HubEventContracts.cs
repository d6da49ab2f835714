using E2eeChat.Domain.Messages;
using MessagePack;

namespace E2eeChat.Server.Hub;

// Written as JSON (camelCase names) and as MessagePack (the keys below), so a client reads the same
// fields whichever protocol it chose. Enums are camelCase strings in both (WireJson, WireMessagePack).

[MessagePackObject]
public sealed record RevokedEvent([property: Key("reason")] string Reason);

[MessagePackObject]
public sealed record ReceiptEvent(
    [property: Key("messageId")] Guid MessageId,
    [property: Key("userId")] Guid UserId,
    [property: Key("deviceId")] int DeviceId,
    [property: Key("status")] DeliveryStatus Status,
    [property: Key("at")] long At);

[MessagePackObject]
public sealed record TypingEvent(
    [property: Key("conversationId")] string ConversationId,
    [property: Key("userId")] Guid UserId,
    [property: Key("deviceId")] int DeviceId,
    [property: Key("isTyping")] bool IsTyping);

[MessagePackObject]
public sealed record PresenceEvent([property: Key("userId")] Guid UserId, [property: Key("online")] bool Online);
