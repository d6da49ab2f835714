namespace E2eeChat.Domain.Attachments;

/// <summary>
/// Attachments and their bytes: files in the embedded default, chunk rows in PostgreSQL in cluster mode.
/// Each method keeps the invariants itself: an offset only ever counts durable bytes, an upload is served
/// only once complete, and a day's quota is checked and taken in one step.
/// </summary>
public interface IAttachmentStore
{
    /// <summary>
    /// Records a new upload and adds its <see cref="Attachment.Length"/> to its owner's bytes for the UTC day of
    /// <see cref="Attachment.CreatedAt"/>, in one transaction. False, and nothing stored, when that would pass
    /// <paramref name="dailyQuotaBytes"/>.
    /// </summary>
    Task<bool> TryCreateAsync(Attachment upload, long dailyQuotaBytes, CancellationToken cancellationToken);

    Task<Attachment?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="content"/> at <paramref name="offset"/>, reading at most the bytes still missing.
    /// Whatever it returns, the stored offset counts only bytes that are durable. When <paramref name="content"/>
    /// fails part-way (the client went away), the bytes read until then are kept and the failure is rethrown:
    /// the client resumes from there. The write that stores the last byte also sets the expiry to
    /// <paramref name="completedExpiresAt"/>.
    /// </summary>
    Task<AppendResult> AppendAsync(string id, long offset, Stream content, DateTimeOffset completedExpiresAt,
        CancellationToken cancellationToken);

    /// <summary>A seekable, read-only stream of a complete attachment's bytes.</summary>
    Task<Stream> OpenReadAsync(Attachment attachment, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes every attachment and upload that expired by <paramref name="now"/>, with its bytes, and the quota
    /// counts of days before <paramref name="now"/>'s. Returns how many attachments went.
    /// </summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

public enum AppendStatus
{
    /// <summary>The bytes are stored; <see cref="AppendResult.Offset"/> is the new offset.</summary>
    Appended,

    /// <summary>The stored offset is not the one given (another request wrote first); nothing was written.</summary>
    OffsetMismatch,

    /// <summary>Another request is writing to this upload right now; nothing was written.</summary>
    Locked,

    /// <summary>The upload is gone (expired and deleted).</summary>
    NotFound,
}

public sealed record AppendResult(AppendStatus Status, long Offset);
