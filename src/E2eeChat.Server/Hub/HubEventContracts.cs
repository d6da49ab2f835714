using E2eeChat.Domain.Messages;

namespace E2eeChat.Server.Hub;

public sealed record RevokedEvent(string Reason);

public sealed record ReceiptEvent(Guid MessageId, Guid UserId, int DeviceId, DeliveryStatus Status, long At);

public sealed record TypingEvent(string ConversationId, Guid UserId, int DeviceId, bool IsTyping);

public sealed record PresenceEvent(Guid UserId, bool Online);
