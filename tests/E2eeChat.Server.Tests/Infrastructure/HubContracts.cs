using MessagePack;

namespace E2eeChat.Server.Tests.Infrastructure;

// What a client reads from /hubs/chat, typed once for both hub protocols: JSON binds the camelCase names,
// MessagePack the keys, so a test reads the same records whichever protocol carried them. Content is bytes:
// base64 in JSON, bin in MessagePack. Statuses and kinds stay strings, as a client sees them.

[MessagePackObject]
public sealed record HubEnvelope(
    [property: Key("id")] Guid Id,
    [property: Key("messageId")] Guid MessageId,
    [property: Key("type")] int Type,
    [property: Key("sourceUserId")] Guid? SourceUserId,
    [property: Key("sourceDeviceId")] int? SourceDeviceId,
    [property: Key("roomId")] Guid? RoomId,
    [property: Key("destinationDeviceId")] int DestinationDeviceId,
    [property: Key("timestamp")] long Timestamp,
    [property: Key("serverTimestamp")] long ServerTimestamp,
    [property: Key("content")] byte[] Content,
    [property: Key("expiresAt")] long? ExpiresAt);

[MessagePackObject]
public sealed record HubSendResult(
    [property: Key("messageId")] Guid MessageId,
    [property: Key("serverTimestamp")] long ServerTimestamp,
    [property: Key("needsSync")] bool NeedsSync);

[MessagePackObject]
public sealed record HubReceipt(
    [property: Key("messageId")] Guid MessageId,
    [property: Key("userId")] Guid UserId,
    [property: Key("deviceId")] int DeviceId,
    [property: Key("status")] string Status,
    [property: Key("at")] long At);

[MessagePackObject]
public sealed record HubTyping(
    [property: Key("conversationId")] string ConversationId,
    [property: Key("userId")] Guid UserId,
    [property: Key("deviceId")] int DeviceId,
    [property: Key("isTyping")] bool IsTyping);

[MessagePackObject]
public sealed record HubPresence([property: Key("userId")] Guid UserId, [property: Key("online")] bool Online);

[MessagePackObject]
public sealed record HubRoomEvent(
    [property: Key("roomId")] Guid RoomId,
    [property: Key("kind")] string Kind,
    [property: Key("userId")] Guid? UserId,
    [property: Key("name")] string? Name,
    [property: Key("at")] long At,
    [property: Key("byUserId")] Guid? ByUserId = null);

[MessagePackObject]
public sealed record HubRevoked([property: Key("reason")] string Reason);
