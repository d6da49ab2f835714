using E2eeChat.Domain.Attachments;

namespace E2eeChat.Storage.Attachments;

/// <summary>
/// The embedded default: each attachment's bytes in one owner-only (0600) file under a 0700 directory, its row in
/// SQLite. A writer holds an exclusive lock on the file; it first cuts anything past the recorded offset (the
/// remains of a crash between write and commit), appends, syncs the file to disk, and only then advances the
/// recorded offset, so the offset never counts a byte that could be lost.
/// </summary>
internal sealed class FileAttachmentStore : IAttachmentStore
{
    private const int CopyBufferBytes = 128 * 1024;

    private readonly AttachmentRecords _records;
    private readonly string _directory;

    public FileAttachmentStore(AttachmentRecords records, string directory)
    {
        _records = records;
        _directory = Path.GetFullPath(directory);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_directory);
        }
        else
        {
            Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public Task<bool> TryCreateAsync(Attachment upload, long dailyQuotaBytes, CancellationToken cancellationToken) =>
        _records.TryCreateAsync(upload, dailyQuotaBytes, cancellationToken);

    public Task<Attachment?> FindAsync(string id, CancellationToken cancellationToken) =>
        _records.FindAsync(id, cancellationToken);

    public async Task<AppendResult> AppendAsync(string id, long offset, Stream content, DateTimeOffset completedExpiresAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        FileStream file;
        try
        {
            file = new FileStream(PathOf(id), WriteOptions());
        }
        catch (IOException)
        {
            // FileShare.None is an exclusive flock on Unix: another request holds this upload.
            return new AppendResult(AppendStatus.Locked, offset);
        }
        await using (file.ConfigureAwait(false))
        {
            // Under the lock the recorded offset cannot move: it is the truth to compare with.
            var upload = await _records.FindAsync(id, cancellationToken).ConfigureAwait(false);
            if (upload is null)
            {
                // Reaped while the request was on its way: do not leave the file just created behind.
                File.Delete(PathOf(id));
                return new AppendResult(AppendStatus.NotFound, offset);
            }
            if (upload.Offset != offset)
            {
                return new AppendResult(AppendStatus.OffsetMismatch, upload.Offset);
            }
            file.SetLength(offset);
            file.Position = offset;

            var (written, failure) = await CopyAsync(content, file, upload.Length - offset, cancellationToken).ConfigureAwait(false);
            if (written > 0)
            {
                await file.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
                // The client may be gone; the bytes it sent are kept all the same, so that it can resume after them.
                await using var connection = await _records.Dialect.OpenAsync(CancellationToken.None).ConfigureAwait(false);
                await using var transaction = await _records.Dialect.BeginWriteAsync(connection, CancellationToken.None).ConfigureAwait(false);
                if (!await AttachmentRecords.TryAdvanceAsync(connection, transaction, id, offset, written, completedExpiresAt,
                        CancellationToken.None).ConfigureAwait(false))
                {
                    return new AppendResult(AppendStatus.NotFound, offset);
                }
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            failure?.Throw();
            return new AppendResult(AppendStatus.Appended, offset + written);
        }
    }

    public Task<Stream> OpenReadAsync(Attachment attachment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        if (attachment.Length == 0)
        {
            return Task.FromResult(Stream.Null);
        }
        Stream stream = new FileStream(PathOf(attachment.Id), new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });
        return Task.FromResult(stream);
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var expired = await _records.ExpiredAsync(now, 1000, cancellationToken).ConfigureAwait(false);
            // Files first: a crash in between leaves expired rows, which the next round deletes, never orphaned files.
            foreach (var id in expired)
            {
                File.Delete(PathOf(id));
            }
            total += await _records.DeleteAsync(expired, now, cancellationToken).ConfigureAwait(false);
            if (expired.Count < 1000)
            {
                return total;
            }
        }
    }

    /// <summary>Ids are base64url (checked before any lookup), so they are safe as file names.</summary>
    private string PathOf(string id) => Path.Combine(_directory, id);

    private static FileStreamOptions WriteOptions()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return options;
    }

    /// <summary>
    /// Copies at most <paramref name="limit"/> bytes. A failing source ends the copy and is returned, not thrown,
    /// so that what arrived can still be committed.
    /// </summary>
    private static async Task<(long Written, System.Runtime.ExceptionServices.ExceptionDispatchInfo? Failure)> CopyAsync(
        Stream source, FileStream file, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[(int)Math.Min(CopyBufferBytes, Math.Max(1, limit))];
        long written = 0;
        while (written < limit)
        {
            int read;
            try
            {
                read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - written)), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException)
            {
                return (written, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception));
            }
            if (read == 0)
            {
                break;
            }
            await file.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None).ConfigureAwait(false);
            written += read;
        }
        return (written, null);
    }
}
