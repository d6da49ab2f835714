using E2eeChat.Domain.Common;

namespace E2eeChat.Storage;

/// <summary>
/// How concurrent sends and acks are gathered into one transaction (bound from <c>Storage:GroupCommit</c>). A writer
/// takes whatever is queued when it is free, up to the limits; with <see cref="MaxDelay"/> above zero it also waits that
/// long for more before it commits a batch that is not full.
/// </summary>
public sealed class GroupCommitOptions : IValidatedOptions
{
    public TimeSpan MaxDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Sends (or acks) in one transaction, at most.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Envelopes written by one transaction, at most; a larger single send still goes, alone.</summary>
    public int MaxBatchEnvelopes { get; set; } = 2048;

    /// <summary>Transactions in flight at once per kind (sends, acks); SQLite runs one, whatever this says.</summary>
    public int Writers { get; set; } = 2;

    public void Validate()
    {
        if (MaxDelay < TimeSpan.Zero || MaxDelay > TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException("Storage:GroupCommit:MaxDelay must be from 00:00:00 to 00:00:01.");
        }
        if (MaxBatchSize is < 1 or > 10_000)
        {
            throw new InvalidOperationException("Storage:GroupCommit:MaxBatchSize must be from 1 to 10000.");
        }
        if (MaxBatchEnvelopes is < 1 or > 100_000)
        {
            throw new InvalidOperationException("Storage:GroupCommit:MaxBatchEnvelopes must be from 1 to 100000.");
        }
        if (Writers is < 1 or > 64)
        {
            throw new InvalidOperationException("Storage:GroupCommit:Writers must be from 1 to 64.");
        }
    }
}
