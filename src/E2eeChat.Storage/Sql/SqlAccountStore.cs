using System.Data.Common;
using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Devices;

namespace E2eeChat.Storage.Sql;

internal sealed class SqlAccountStore(SqlDialect dialect) : IAccountStore
{
    private const string Columns =
        "user_id, username, identity_key, password_hash, created_at, unidentified_access_key, unrestricted_unidentified_access";

    public async Task<bool> TryCreateAsync(Account account, Device primaryDevice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(primaryDevice);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using (var insert = connection.Command($"""
            INSERT INTO accounts ({Columns}) VALUES (@id, @username, @key, @hash, @created, @accessKey, @unrestricted)
            ON CONFLICT (username) DO NOTHING
            """, transaction))
        {
            var inserted = await insert.With("id", account.UserId).With("username", account.Username)
                .With("key", account.IdentityKey).With("hash", account.PasswordHash)
                .With("created", account.CreatedAt.ToUnixMs())
                .With("accessKey", (object?)account.UnidentifiedAccessKey ?? DBNull.Value)
                .With("unrestricted", account.UnrestrictedUnidentifiedAccess)
                .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (inserted == 0)
            {
                return false;
            }
        }
        await SqlDeviceStore.InsertAsync(connection, transaction, primaryDevice, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<Account?> FindByUsernameAsync(string normalizedUsername, CancellationToken cancellationToken) =>
        FindAsync("username", normalizedUsername, cancellationToken);

    public Task<Account?> FindByIdAsync(Guid userId, CancellationToken cancellationToken) =>
        FindAsync("user_id", userId, cancellationToken);

    public async Task UpdateUnidentifiedAccessAsync(Guid userId, byte[]? unidentifiedAccessKey, bool unrestricted,
        CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("""
            UPDATE accounts SET unidentified_access_key = @key, unrestricted_unidentified_access = @unrestricted WHERE user_id = @id
            """, transaction);
        await command.With("key", (object?)unidentifiedAccessKey ?? DBNull.Value).With("unrestricted", unrestricted).With("id", userId)
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task UpdatePasswordHashAsync(Guid userId, string passwordHash, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("UPDATE accounts SET password_hash = @hash WHERE user_id = @id", transaction);
        await command.With("hash", passwordHash).With("id", userId).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<Account?> FindAsync(string column, object value, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command($"SELECT {Columns} FROM accounts WHERE {column} = @value");
        await using var reader = await command.With("value", value).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    private static Account Read(DbDataReader reader) =>
        new(reader.GetGuid(0), reader.GetString(1), reader.GetBytes(2), reader.GetString(3), reader.GetTime(4),
            reader.IsDBNull(5) ? null : reader.GetBytes(5), reader.GetBoolean(6));
}
