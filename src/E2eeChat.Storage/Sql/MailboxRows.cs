using E2eeChat.Domain.Messages;

namespace E2eeChat.Storage.Sql;

/// <summary>A device row as a send batch's transaction locked it; the batch advances its counters in memory.</summary>
internal sealed class LockedDevice(Guid userId, int deviceId, int registrationId, long sequence, long envelopes, long bytes)
{
    public Guid UserId { get; } = userId;

    public int DeviceId { get; } = deviceId;

    public int RegistrationId { get; } = registrationId;

    public long Sequence { get; set; } = sequence;

    public long Envelopes { get; set; } = envelopes;

    public long Bytes { get; set; } = bytes;

    public bool Changed { get; set; }
}

/// <summary>What the sends of one batch need locked and read: their rooms, users and idempotency keys.</summary>
internal sealed class MailboxLocks
{
    public List<Guid> Rooms { get; } = [];

    /// <summary>Destination users of direct sends and every sender (whose device rows also guard their idempotency keys).</summary>
    public List<Guid> Users { get; } = [];

    public List<(Guid Sender, int SenderDevice, string Key)> Keys { get; } = [];
}

/// <summary>What a send batch's transaction read after taking its locks.</summary>
internal sealed class MailboxSnapshot
{
    public HashSet<Guid> Rooms { get; } = [];

    public Dictionary<Guid, List<Guid>> Members { get; } = [];

    /// <summary>Each user's devices, in device order.</summary>
    public Dictionary<Guid, List<LockedDevice>> Devices { get; } = [];

    public Dictionary<(Guid Sender, int SenderDevice, string Key), SendResult> Earlier { get; } = [];
}

/// <summary>The rows a send batch writes: every array is in the same order, one entry per envelope or message.</summary>
internal sealed class MailboxRows
{
    public List<LockedDevice> Devices { get; } = [];

    public List<(MailboxBatch Send, bool NeedsSync)> Messages { get; } = [];

    public List<Envelope> Envelopes { get; } = [];

    /// <summary>Distinct and sorted, so concurrent batches insert them in the same order.</summary>
    public SortedSet<(Guid Sender, Guid Recipient)> Contacts { get; } = [];

    public bool IsEmpty => Messages.Count == 0;
}

/// <summary>An envelope an ack deleted, and which request of the batch asked for it.</summary>
internal readonly record struct AckedEnvelope(int Request, Guid UserId, int DeviceId, Guid MessageId, long Bytes);

/// <summary>One device's acknowledgement, as the ack batch carries it.</summary>
internal sealed record AckRequest(Guid UserId, int DeviceId, IReadOnlyList<Guid> EnvelopeIds, long Now);

/// <summary>One device's read marks, as the read batch carries them.</summary>
internal sealed record ReadRequest(Guid UserId, int DeviceId, IReadOnlyList<Guid> MessageIds, long Now);
