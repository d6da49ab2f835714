using System.Globalization;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Attachments;

/// <summary>
/// The rules of attachments: size and daily quota at creation, only the uploader writes, offsets must match,
/// nothing is served before its last byte or after its expiry.
/// </summary>
public sealed class AttachmentService(IAttachmentStore store, AttachmentOptions options, TimeProvider clock)
{
    /// <summary>Creates an empty upload of <paramref name="length"/> bytes for <paramref name="ownerId"/>.</summary>
    public async Task<Attachment> CreateAsync(Guid ownerId, long length, CancellationToken cancellationToken)
    {
        if (length < 0)
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidUploadLength, "Upload-Length must be a non-negative integer.");
        }
        if (length > options.MaxBytes)
        {
            throw TooLarge($"Upload-Length {length} is more than the largest attachment, {options.MaxBytes} bytes.");
        }
        var now = clock.GetUtcNow();
        var upload = new Attachment(AttachmentId.New(), ownerId, length, 0, now,
            now + (length == 0 ? options.Retention : options.UnfinishedRetention));
        if (!await store.TryCreateAsync(upload, options.DailyBytesPerAccount, cancellationToken).ConfigureAwait(false))
        {
            var retryAfter = (int)Math.Ceiling((now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime).TotalSeconds);
            throw new DomainException(ErrorKind.TooManyRequests, ErrorCodes.AttachmentQuotaExceeded,
                string.Create(CultureInfo.InvariantCulture,
                    $"This upload would pass the account's {options.DailyBytesPerAccount} bytes of uploads for today (UTC)."),
                new Dictionary<string, object?> { ["retryAfterSeconds"] = Math.Max(1, retryAfter) });
        }
        return upload;
    }

    /// <summary>An upload as <c>HEAD</c> reports it: the caller's own, or anyone's once complete.</summary>
    public async Task<Attachment> GetUploadAsync(string id, Guid callerId, CancellationToken cancellationToken)
    {
        var upload = await FindLiveAsync(id, cancellationToken).ConfigureAwait(false);
        return upload.IsComplete || upload.OwnerId == callerId ? upload : throw NotFound();
    }

    /// <summary>
    /// Appends the body of a <c>PATCH</c> at <paramref name="offset"/>. <paramref name="declaredBytes"/> is the body's
    /// length when the request announced it; a body longer than what is missing is refused before anything is stored.
    /// </summary>
    public async Task<Attachment> AppendAsync(string id, Guid callerId, long offset, long? declaredBytes, Stream content,
        CancellationToken cancellationToken)
    {
        var upload = await FindLiveAsync(id, cancellationToken).ConfigureAwait(false);
        if (upload.OwnerId != callerId)
        {
            throw NotFound();
        }
        if (offset != upload.Offset)
        {
            throw Mismatch(upload.Offset);
        }
        if (declaredBytes > upload.Length - upload.Offset)
        {
            throw TooLarge($"The body has {declaredBytes} bytes but only {upload.Length - upload.Offset} are missing.");
        }
        var completedExpiresAt = clock.GetUtcNow() + options.Retention;
        var result = await store.AppendAsync(id, offset, content, completedExpiresAt, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            AppendStatus.Appended => upload with
            {
                Offset = result.Offset,
                ExpiresAt = result.Offset == upload.Length ? completedExpiresAt : upload.ExpiresAt,
            },
            AppendStatus.OffsetMismatch => throw Mismatch(result.Offset),
            AppendStatus.Locked => throw new DomainException(ErrorKind.Locked, ErrorCodes.UploadLocked,
                "Another request is writing to this upload; retry after it ends."),
            _ => throw NotFound(),
        };
    }

    /// <summary>A complete, unexpired attachment for download: any authenticated device that knows the id may read it.</summary>
    public async Task<Attachment> GetCompleteAsync(string id, CancellationToken cancellationToken)
    {
        var attachment = await FindLiveAsync(id, cancellationToken).ConfigureAwait(false);
        return attachment.IsComplete
            ? attachment
            : throw DomainException.Conflict(ErrorCodes.UploadIncomplete,
                "The upload is not finished; it is served once its last byte has arrived.");
    }

    public Task<Stream> OpenReadAsync(Attachment attachment, CancellationToken cancellationToken) =>
        store.OpenReadAsync(attachment, cancellationToken);

    private async Task<Attachment> FindLiveAsync(string id, CancellationToken cancellationToken)
    {
        var attachment = AttachmentId.IsWellFormed(id)
            ? await store.FindAsync(id, cancellationToken).ConfigureAwait(false)
            : null;
        if (attachment is null)
        {
            throw NotFound();
        }
        return attachment.IsExpired(clock.GetUtcNow())
            ? throw new DomainException(ErrorKind.Gone, ErrorCodes.AttachmentExpired,
                "The attachment expired and is being deleted; upload it again.")
            : attachment;
    }

    private static DomainException NotFound() =>
        DomainException.NotFound(ErrorCodes.AttachmentNotFound, "No such attachment.");

    private static DomainException Mismatch(long current) => new(ErrorKind.Conflict, ErrorCodes.UploadOffsetMismatch,
        string.Create(CultureInfo.InvariantCulture, $"Upload-Offset must be the upload's current offset, {current}."),
        new Dictionary<string, object?> { ["offset"] = current });

    private static DomainException TooLarge(string detail) =>
        new(ErrorKind.PayloadTooLarge, ErrorCodes.AttachmentTooLarge, detail);
}
