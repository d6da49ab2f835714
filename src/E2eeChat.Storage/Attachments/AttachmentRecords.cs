using System.Data.Common;
using E2eeChat.Domain.Attachments;
using E2eeChat.Storage.Sql;

namespace E2eeChat.Storage.Attachments;

/// <summary>The attachment rows and quota counts, the same on both engines; the stores add the bytes.</summary>
internal sealed class AttachmentRecords(SqlDialect dialect)
{
    private const long MsPerDay = 24 * 60 * 60 * 1000;

    public SqlDialect Dialect => dialect;

    public async Task<bool> TryCreateAsync(Attachment upload, long dailyQuotaBytes, CancellationToken cancellationToken)
    {
        if (upload.Length > dailyQuotaBytes)
        {
            return false;
        }
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        // One upsert adds to the day's count only while it stays within the quota: concurrent creations queue on the row.
        await using (var quota = connection.Command("""
            INSERT INTO attachment_quotas (owner_id, day, bytes) VALUES (@owner, @day, @bytes)
            ON CONFLICT (owner_id, day) DO UPDATE SET bytes = attachment_quotas.bytes + excluded.bytes
            WHERE attachment_quotas.bytes + excluded.bytes <= @quota
            RETURNING bytes
            """, transaction))
        {
            var taken = await quota.With("owner", upload.OwnerId).With("day", DayOf(upload.CreatedAt))
                .With("bytes", upload.Length).With("quota", dailyQuotaBytes)
                .ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (taken is null)
            {
                return false;
            }
        }
        await using (var insert = connection.Command("""
            INSERT INTO attachments (attachment_id, owner_id, length, upload_offset, created_at, expires_at)
            VALUES (@id, @owner, @length, 0, @created, @expires)
            """, transaction))
        {
            await insert.With("id", upload.Id).With("owner", upload.OwnerId).With("length", upload.Length)
                .With("created", upload.CreatedAt.ToUnixMs()).With("expires", upload.ExpiresAt.ToUnixMs())
                .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<Attachment?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await FindAsync(connection, null, id, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<Attachment?> FindAsync(DbConnection connection, DbTransaction? transaction, string id,
        CancellationToken cancellationToken)
    {
        await using var command = connection.Command("""
            SELECT owner_id, length, upload_offset, created_at, expires_at FROM attachments WHERE attachment_id = @id
            """, transaction);
        await using var reader = await command.With("id", id).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new Attachment(id, reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetTime(3), reader.GetTime(4))
            : null;
    }

    /// <summary>
    /// Moves the offset from <paramref name="offset"/> by <paramref name="bytes"/>, inside the caller's transaction,
    /// only if it still is <paramref name="offset"/>; the write that reaches the length also sets the final expiry.
    /// </summary>
    public static async Task<bool> TryAdvanceAsync(DbConnection connection, DbTransaction transaction, string id, long offset,
        long bytes, DateTimeOffset completedExpiresAt, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("""
            UPDATE attachments
            SET upload_offset = upload_offset + @bytes,
                expires_at = CASE WHEN upload_offset + @bytes = length THEN @completed ELSE expires_at END
            WHERE attachment_id = @id AND upload_offset = @offset AND upload_offset + @bytes <= length
            """, transaction);
        return await command.With("bytes", bytes).With("completed", completedExpiresAt.ToUnixMs()).With("id", id)
            .With("offset", offset).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Ids of attachments that expired by <paramref name="now"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<List<string>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "SELECT attachment_id FROM attachments WHERE expires_at <= @now ORDER BY expires_at LIMIT @limit");
        await using var reader = await command.With("now", now.ToUnixMs()).With("limit", limit)
            .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    /// <summary>Deletes the rows (and any chunk rows) of <paramref name="ids"/>, and quota counts of days before today's.</summary>
    public async Task<int> DeleteAsync(IReadOnlyList<string> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        if (ids.Count > 0)
        {
            await using var delete = connection.Command(string.Empty, transaction);
            delete.CommandText = $"DELETE FROM attachments WHERE {dialect.AnyOf(delete, "attachment_id", "ids", ids)}";
            deleted = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var quotas = connection.Command("DELETE FROM attachment_quotas WHERE day < @today", transaction))
        {
            await quotas.With("today", DayOf(now)).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    private static int DayOf(DateTimeOffset time) => (int)(time.ToUnixMs() / MsPerDay);
}
