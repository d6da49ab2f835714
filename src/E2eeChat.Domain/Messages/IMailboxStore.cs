namespace E2eeChat.Domain.Messages;

/// <summary>
/// Owns the per-device mailboxes and message statuses. A send is stored in one transaction,
/// and only after it checked, under lock, that the addressed devices are the current ones.
/// </summary>
public interface IMailboxStore
{
    Task<StoreOutcome> StoreAsync(MailboxBatch batch, CancellationToken cancellationToken);

    /// <summary>The devices of <paramref name="users"/> now, without the sending device.</summary>
    Task<IReadOnlyList<DeviceAddress>> CurrentDevicesAsync(IReadOnlyList<Guid> users, Guid senderUserId, int senderDeviceId,
        CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> live envelopes after <paramref name="afterSequence"/>, in mailbox order.</summary>
    Task<IReadOnlyList<Envelope>> ReadAsync(Guid userId, int deviceId, long afterSequence, int limit, long now,
        CancellationToken cancellationToken);

    /// <summary>
    /// The envelopes of <paramref name="messageId"/>, sent by <paramref name="senderUserId"/>, still in their mailboxes: what a
    /// retried send announces again, since its first attempt may have committed without announcing anything. A sealed
    /// send (no sender) keeps no recipient rows: its envelopes are looked for in <paramref name="destinationUsers"/>' mailboxes.
    /// </summary>
    Task<IReadOnlyList<Envelope>> UnacknowledgedAsync(Guid messageId, Guid? senderUserId, IReadOnlyList<Guid> destinationUsers,
        CancellationToken cancellationToken);

    /// <summary>Deletes acknowledged envelopes of this device; returns the receipts it caused (sent → delivered).</summary>
    Task<IReadOnlyList<Receipt>> AckAsync(Guid userId, int deviceId, IReadOnlyList<Guid> envelopeIds, long now,
        CancellationToken cancellationToken);

    /// <summary>Marks messages read at this device; returns the receipts it caused.</summary>
    Task<IReadOnlyList<Receipt>> MarkReadAsync(Guid userId, int deviceId, IReadOnlyList<Guid> messageIds, long now,
        CancellationToken cancellationToken);

    /// <summary>Each destination device's status, or null when the message is not <paramref name="senderUserId"/>'s.</summary>
    Task<IReadOnlyList<RecipientStatus>?> StatusAsync(Guid messageId, Guid senderUserId, CancellationToken cancellationToken);

    /// <summary>Deletes expired envelopes and messages past retention; returns how many envelopes went.</summary>
    Task<int> DeleteExpiredAsync(long now, long retainedSince, CancellationToken cancellationToken);

    /// <summary>
    /// Users with whom <paramref name="userId"/> has a mutual direct conversation: each of the two has stored a direct
    /// message to the other (at any time; contacts outlive the messages' retention). One unanswered message is not one.
    /// </summary>
    Task<IReadOnlyList<Guid>> MutualContactsAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="userId"/> and <paramref name="peerId"/> are mutual contacts (see <see cref="MutualContactsAsync"/>).</summary>
    Task<bool> AreMutualContactsAsync(Guid userId, Guid peerId, CancellationToken cancellationToken);
}
