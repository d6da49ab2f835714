namespace E2eeChat.Domain.Messages;

/// <summary>An envelope waiting to be stored: its destination as addressed, and the ciphertext.</summary>
public sealed record PendingEnvelope(DeviceAddress Destination, int Type, byte[] Content);

/// <summary>
/// Everything one send stores, in one transaction. For a room send (<see cref="RoomId"/> set) the store takes the
/// destination users from the room's members, read under the room's lock, not from <see cref="DestinationUsers"/>.
/// An unidentified (sealed-sender) send has no sender: <see cref="SenderUserId"/> and <see cref="SenderDeviceId"/> are
/// null, its idempotency key is scoped by its destination users, and it records no delivery status (no one to tell).
/// </summary>
public sealed record MailboxBatch(
    Guid MessageId,
    Guid? SenderUserId,
    int? SenderDeviceId,
    string? IdempotencyKey,
    Guid? RoomId,
    long Timestamp,
    long ServerTimestamp,
    long? ExpiresAt,
    IReadOnlyList<Guid> DestinationUsers,
    IReadOnlyList<PendingEnvelope> Envelopes);

public enum StoreOutcomeKind
{
    /// <summary>Committed; <see cref="StoreOutcome.Envelopes"/> carry their mailbox sequence.</summary>
    Stored,

    /// <summary>The idempotency key was used before; <see cref="StoreOutcome.Result"/> is the first answer.</summary>
    Duplicate,

    /// <summary>Nothing stored: the addressed devices are not the current ones, given in <see cref="StoreOutcome.CurrentDevices"/>.</summary>
    DevicesChanged,

    /// <summary>Nothing stored: the room is gone or the sender is no longer one of its members.</summary>
    NotRoomMember,

    /// <summary>Nothing stored: a destination device's mailbox is at its quota (<see cref="MailboxQuota"/>).</summary>
    MailboxFull,

    /// <summary>Nothing stored: a destination user of a direct send has no account (every account has its primary device).</summary>
    UserNotFound,
}

public sealed record StoreOutcome(
    StoreOutcomeKind Kind,
    SendResult? Result,
    IReadOnlyList<Envelope> Envelopes,
    IReadOnlyList<DeviceAddress> CurrentDevices);
