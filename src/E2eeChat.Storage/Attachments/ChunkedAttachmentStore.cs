using System.Runtime.ExceptionServices;
using E2eeChat.Domain.Attachments;
using E2eeChat.Storage.Sql;

namespace E2eeChat.Storage.Attachments;

/// <summary>
/// Cluster mode: the bytes in <c>attachment_chunks</c>, pieces of at most <see cref="ChunkBytes"/>, so that any
/// instance serves any attachment and none holds state. Each piece is one transaction that inserts it and moves the
/// offset, only if the offset is still where the piece starts: two writers cannot interleave, and a crash loses at
/// most the piece in flight, never the consistency of offset and bytes.
/// </summary>
internal sealed class ChunkedAttachmentStore(AttachmentRecords records) : IAttachmentStore
{
    /// <summary>Large enough that a 100 MiB upload is 100 rows; small enough that no row is a huge bytea.</summary>
    public const int ChunkBytes = 1024 * 1024;

    public Task<bool> TryCreateAsync(Attachment upload, long dailyQuotaBytes, CancellationToken cancellationToken) =>
        records.TryCreateAsync(upload, dailyQuotaBytes, cancellationToken);

    public Task<Attachment?> FindAsync(string id, CancellationToken cancellationToken) =>
        records.FindAsync(id, cancellationToken);

    public async Task<AppendResult> AppendAsync(string id, long offset, Stream content, DateTimeOffset completedExpiresAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var upload = await records.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (upload is null)
        {
            return new AppendResult(AppendStatus.NotFound, offset);
        }
        if (upload.Offset != offset)
        {
            return new AppendResult(AppendStatus.OffsetMismatch, upload.Offset);
        }
        var buffer = new byte[(int)Math.Min(ChunkBytes, Math.Max(1, upload.Length - offset))];
        while (offset < upload.Length)
        {
            var wanted = (int)Math.Min(buffer.Length, upload.Length - offset);
            var (filled, failure) = await FillAsync(content, buffer, wanted, cancellationToken).ConfigureAwait(false);
            if (filled > 0)
            {
                // The client may be gone; the bytes it sent are kept all the same, so that it can resume after them.
                var piece = filled == buffer.Length ? buffer : buffer.AsSpan(0, filled).ToArray();
                var stored = await TryStoreAsync(id, offset, piece, completedExpiresAt,
                    failure is null ? cancellationToken : CancellationToken.None).ConfigureAwait(false);
                if (!stored)
                {
                    var now = await records.FindAsync(id, CancellationToken.None).ConfigureAwait(false);
                    return now is null
                        ? new AppendResult(AppendStatus.NotFound, offset)
                        : new AppendResult(AppendStatus.OffsetMismatch, now.Offset);
                }
                offset += filled;
            }
            failure?.Throw();
            if (filled < wanted)
            {
                break;
            }
        }
        return new AppendResult(AppendStatus.Appended, offset);
    }

    public Task<Stream> OpenReadAsync(Attachment attachment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        return Task.FromResult<Stream>(new ChunkReadStream(records.Dialect, attachment.Id, attachment.Length));
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            // Chunk rows go with their attachment (ON DELETE CASCADE), in the same transaction.
            var expired = await records.ExpiredAsync(now, 100, cancellationToken).ConfigureAwait(false);
            total += await records.DeleteAsync(expired, now, cancellationToken).ConfigureAwait(false);
            if (expired.Count < 100)
            {
                return total;
            }
        }
    }

    private async Task<bool> TryStoreAsync(string id, long offset, byte[] piece, DateTimeOffset completedExpiresAt,
        CancellationToken cancellationToken)
    {
        var dialect = records.Dialect;
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (!await AttachmentRecords.TryAdvanceAsync(connection, transaction, id, offset, piece.Length, completedExpiresAt,
                cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        await using (var insert = connection.Command(
            "INSERT INTO attachment_chunks (attachment_id, chunk_offset, data) VALUES (@id, @offset, @data)", transaction))
        {
            await insert.With("id", id).With("offset", offset).With("data", piece)
                .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Reads until <paramref name="buffer"/> holds <paramref name="count"/> bytes or the source ends. A failing source
    /// ends the read and is returned, not thrown, so that what arrived can still be stored.
    /// </summary>
    private static async Task<(int Filled, ExceptionDispatchInfo? Failure)> FillAsync(Stream source, byte[] buffer, int count,
        CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < count)
        {
            int read;
            try
            {
                read = await source.ReadAsync(buffer.AsMemory(filled, count - filled), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException)
            {
                return (filled, ExceptionDispatchInfo.Capture(exception));
            }
            if (read == 0)
            {
                break;
            }
            filled += read;
        }
        return (filled, null);
    }
}
