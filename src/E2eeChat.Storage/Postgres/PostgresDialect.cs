using System.Data.Common;
using E2eeChat.Storage.Sql;
using Npgsql;

namespace E2eeChat.Storage.Postgres;

/// <summary>PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>.</summary>
internal sealed class PostgresDialect(NpgsqlDataSource dataSource) : SqlDialect, IAsyncDisposable
{
    // Any constant works; it only has to be the same in every instance of this app.
    private const long MigrationLockKey = 0x0E2EEC4A7;

    public override string Name => "postgres";

    public override string UuidType => "uuid";

    public override string BytesType => "bytea";

    public override string Int64Type => "bigint";

    public override string ForUpdate => " FOR UPDATE";

    public override string SkipLocked => " FOR UPDATE SKIP LOCKED";

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// One array parameter: the statement's text is the same whatever the number of values, so it is parsed
    /// and planned once and stays among the automatically prepared statements (an <c>IN</c> list of each
    /// length would be a statement of its own, and push the hot ones out).
    /// </summary>
    public override string AnyOf<T>(DbCommand command, string column, string name, IReadOnlyList<T> values)
    {
        command.With(name, values as T[] ?? [.. values]);
        return $"{column} = ANY(@{name})";
    }

    /// <summary>
    /// An error PostgreSQL reported (<see cref="PostgresException"/>) ended the transaction without a commit; any other
    /// failure of the link (closed, reset, timed out) may have come after the COMMIT reached the server.
    /// </summary>
    public override bool MayHaveCommitted(Exception exception) =>
        exception is (NpgsqlException or InvalidOperationException) and not PostgresException;

    public override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction,
        CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT pg_advisory_xact_lock(@key)", transaction);
        await command.With("key", MigrationLockKey).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
