using System.Data.Common;
using E2eeChat.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace E2eeChat.Storage.Sqlite;

/// <summary>
/// The embedded single-file database. Transactions begin IMMEDIATE, so writers queue on
/// the busy timeout instead of failing; WAL lets readers run beside the one writer.
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    private readonly string _connectionString;

    public SqliteDialect(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
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
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
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
