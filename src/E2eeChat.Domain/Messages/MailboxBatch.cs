namespace E2eeChat.Domain.Messages;

/// <summary>An envelope waiting to be stored: its destination as addressed, and the ciphertext.</summary>
public sealed record PendingEnvelope(DeviceAddress Destination, int Type, byte[] Content);

/// <summary>Everything one send stores, in one transaction.</summary>
public sealed record MailboxBatch(
    Guid MessageId,
    Guid SenderUserId,
    int SenderDeviceId,
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
}

public sealed record StoreOutcome(
    StoreOutcomeKind Kind,
    SendResult? Result,
    IReadOnlyList<Envelope> Envelopes,
    IReadOnlyList<DeviceAddress> CurrentDevices);
