using System.Collections.Concurrent;
using System.Data.Common;
using E2eeChat.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace E2eeChat.Storage.Sqlite;

/// <summary>
/// The embedded single-file database: one process, one writer at a time, and WAL lets readers run
/// beside it. Writers queue on an in-process async gate per database file before their transaction
/// begins (IMMEDIATE). Without it, concurrent writers meet SQLITE_BUSY, and Microsoft.Data.Sqlite
/// retries by putting the thread to sleep for 150 ms at a time: seconds of latency under load, on
/// blocked thread-pool threads, with the CPU idle.
/// Deleted content is destroyed, not left behind: every connection overwrites what it deletes (secure_delete), and
/// after a delete of envelopes the write-ahead log, which still holds the pages as they were written, is
/// checkpointed into the zeroed pages and truncated.
/// </summary>
internal sealed class SqliteDialect : SqlDialect, IDisposable
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriterGates = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writerGate;
    private WriterGatedConnection? _writer;

    public SqliteDialect(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            PrivateFiles.CreateDirectory(directory);
        }
        // The database exists, owner-only, before SQLite opens it; SQLite gives its -wal and -shm the database's mode.
        PrivateFiles.Ensure(path);
        PrivateFiles.Restrict(path + "-wal");
        PrivateFiles.Restrict(path + "-shm");
        _writerGate = WriterGates.GetOrAdd(Path.GetFullPath(path), _ => new SemaphoreSlim(1, 1));
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public override string Name => "sqlite";

    // Microsoft.Data.Sqlite binds Guid parameters as text.
    public override string UuidType => "TEXT";

    public override string BytesType => "BLOB";

    public override string Int64Type => "INTEGER";

    public override string ForUpdate => string.Empty;

    public override string SkipLocked => string.Empty;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new WriterGatedConnection(_connectionString, _writerGate);
        await PrepareAsync(connection, cancellationToken).ConfigureAwait(false);
        return connection;
    }

    public void Dispose() => _writer?.CloseForGood();

    private static async Task PrepareAsync(WriterGatedConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var secureDelete = connection.Command("PRAGMA secure_delete=ON;");
            await secureDelete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            connection.CloseForGood();
            throw;
        }
    }

    /// <summary>
    /// The one connection the mailbox's batches write through, entered through the writer gate and left open after.
    /// SQLite drops a connection's page cache whenever another connection has committed since it last read, so
    /// batches written through whichever pooled connection came next re-read every page they touched from the file.
    /// </summary>
    public override async ValueTask<DbConnection> OpenForWritesAsync(CancellationToken cancellationToken)
    {
        await _writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writer is null)
            {
                var writer = new WriterGatedConnection(_connectionString, _writerGate, keepOpen: true);
                await PrepareAsync(writer, cancellationToken).ConfigureAwait(false);
                _writer = writer;
            }
        }
        catch
        {
            _writerGate.Release();
            throw;
        }
        _writer.HoldGate();
        return _writer;
    }

    public override async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await ((WriterGatedConnection)connection).EnterWriterGateAsync(cancellationToken).ConfigureAwait(false);
        return await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies the log into the database file (whose pages secure_delete zeroed) and truncates it to nothing. The
    /// connection still holds the writer gate, so no writer of ours runs meanwhile; a reader still on an older
    /// snapshot makes SQLite skip the truncation, and the next scrub (the next delete, or the reaper's pass) does it.
    /// </summary>
    public override async Task ScrubDeletedContentAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var checkpoint = connection.Command("PRAGMA wal_checkpoint(TRUNCATE);");
        await checkpoint.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction,
        CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>WAL is a property of the file, set once before anything else runs.</summary>
    public async Task UseWriteAheadLogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("PRAGMA journal_mode=WAL;");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
