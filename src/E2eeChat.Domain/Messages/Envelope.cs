namespace E2eeChat.Domain.Messages;

/// <summary>
/// One ciphertext for one destination device. <see cref="Sequence"/> is the device's
/// mailbox order; the server never reads <see cref="Content"/>. A sealed-sender envelope sent without
/// authentication has no source: <see cref="SourceUserId"/> and <see cref="SourceDeviceId"/> are null.
/// </summary>
public sealed record Envelope(
    Guid Id,
    Guid MessageId,
    int Type,
    Guid? SourceUserId,
    int? SourceDeviceId,
    Guid? RoomId,
    Guid DestinationUserId,
    int DestinationDeviceId,
    long Sequence,
    long Timestamp,
    long ServerTimestamp,
    byte[] Content,
    long? ExpiresAt);
