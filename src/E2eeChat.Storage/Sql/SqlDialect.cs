using System.Data.Common;

namespace E2eeChat.Storage.Sql;

/// <summary>What differs between the engines; everything else is shared SQL.</summary>
public abstract class SqlDialect
{
    public abstract string Name { get; }

    /// <summary>Column type for UUIDs.</summary>
    public abstract string UuidType { get; }

    /// <summary>Column type for byte strings.</summary>
    public abstract string BytesType { get; }

    /// <summary>Column type for 64-bit integers (Unix milliseconds).</summary>
    public abstract string Int64Type { get; }

    /// <summary>
    /// Appended to a SELECT inside a write transaction to lock the rows it reads.
    /// SQLite needs none: its write transactions are serialised already.
    /// </summary>
    public abstract string ForUpdate { get; }

    /// <summary>
    /// Appended to a subquery that picks one row to claim: concurrent claimers lock different rows
    /// instead of queueing on the same one. SQLite needs none: its write transactions are serialised already.
    /// </summary>
    public abstract string SkipLocked { get; }

    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The predicate "<paramref name="column"/> is one of <paramref name="values"/>", adding its parameters to
    /// <paramref name="command"/>: one parameter per value in an <c>IN (…)</c> list, as SQLite needs.
    /// </summary>
    public virtual string AnyOf<T>(DbCommand command, string column, string name, IReadOnlyList<T> values) =>
        $"{column} IN ({command.WithList(name, values)})";

    /// <summary>
    /// A connection for the mailbox's batched writes, which begin their transaction on it at once. By default one from
    /// <see cref="OpenAsync"/>; SQLite hands out its one writer connection (see <c>SqliteDialect</c>).
    /// </summary>
    public virtual ValueTask<DbConnection> OpenForWritesAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    /// <summary>
    /// Begins a write transaction on a connection from <see cref="OpenAsync"/>. Every write goes through one,
    /// single statements too, so that SQLite can queue its writers (see <c>SqliteDialect</c>).
    /// </summary>
    public virtual async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a write that failed with this exception may still have committed: its COMMIT may have reached the
    /// database before the link broke. In process (SQLite) a failed commit did not happen.
    /// </summary>
    public virtual bool MayHaveCommitted(Exception exception) => false;

    /// <summary>
    /// Called on the same connection after a write that deleted envelope content has committed. SQLite pushes the
    /// deleted bytes out of its write-ahead log here; PostgreSQL leaves dead tuples to VACUUM (README, Security).
    /// </summary>
    public virtual Task ScrubDeletedContentAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Serialises schema migrations between processes, inside <paramref name="transaction"/>.</summary>
    public abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction,
        CancellationToken cancellationToken);
}
