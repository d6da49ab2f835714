using E2eeChat.Domain.Devices;

namespace E2eeChat.Storage.Sql;

internal sealed class SqlLinkCodeStore(SqlDialect dialect) : ILinkCodeStore
{
    public async Task AddAsync(byte[] codeHash, Guid userId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "INSERT INTO link_codes (code_hash, user_id, expires_at) VALUES (@hash, @user, @expires)", transaction);
        await command.With("hash", codeHash).With("user", userId).With("expires", expiresAt.ToUnixMs())
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<Guid?> ConsumeAsync(byte[] codeHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Anyone may present a code: one that does not exist costs one indexed read, never a writer's turn.
        await using (var known = connection.Command("SELECT 1 FROM link_codes WHERE code_hash = @hash"))
        {
            if (await known.With("hash", codeHash).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }
        }
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        // One statement deletes and returns, so two devices racing for one code cannot both win.
        await using var command = connection.Command(
            "DELETE FROM link_codes WHERE code_hash = @hash RETURNING user_id, expires_at", transaction);
        Guid? userId = null;
        await using (var reader = await command.With("hash", codeHash).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.GetInt64(1) > now.ToUnixMs())
            {
                userId = reader.GetGuid(0);
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return userId;
    }
}
