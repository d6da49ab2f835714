using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Attachments;
using E2eeChat.Domain.Devices;
using E2eeChat.Domain.Keys;
using E2eeChat.Domain.Messages;
using E2eeChat.Domain.Push;
using E2eeChat.Domain.Rooms;
using E2eeChat.Domain.Sessions;
using E2eeChat.Storage.Attachments;
using E2eeChat.Storage.Postgres;
using E2eeChat.Storage.Schema;
using E2eeChat.Storage.Sql;
using E2eeChat.Storage.Sqlite;
using Npgsql;

namespace E2eeChat.Storage;

/// <summary>The configured engine with its stores. The host registers each store under its domain interface.</summary>
public sealed class SqlStorage : IAsyncDisposable
{
    private readonly SqlDialect _dialect;

    private SqlStorage(SqlDialect dialect, Func<AttachmentRecords, IAttachmentStore> attachments)
    {
        _dialect = dialect;
        Attachments = attachments(new AttachmentRecords(dialect));
        Accounts = new SqlAccountStore(dialect);
        Devices = new SqlDeviceStore(dialect);
        Sessions = new SqlSessionStore(dialect);
        LinkCodes = new SqlLinkCodeStore(dialect);
        Mailboxes = new SqlMailboxStore(dialect);
        Prekeys = new SqlPrekeyStore(dialect);
        Rooms = new SqlRoomStore(dialect);
        PushRegistrations = new SqlPushRegistrationStore(dialect);
    }

    public string ProviderName => _dialect.Name;

    public IAccountStore Accounts { get; }

    public IDeviceStore Devices { get; }

    public ISessionStore Sessions { get; }

    public ILinkCodeStore LinkCodes { get; }

    public IMailboxStore Mailboxes { get; }
    public IPrekeyStore Prekeys { get; }

    public IRoomStore Rooms { get; }

    public IPushRegistrationStore PushRegistrations { get; }

    /// <summary>Files under <see cref="StorageOptions.AttachmentsPath"/> on SQLite; chunk rows on PostgreSQL.</summary>
    public IAttachmentStore Attachments { get; }

    public static SqlStorage Create(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Provider switch
        {
            StorageProvider.Postgres => new SqlStorage(new PostgresDialect(PostgresDataSource(options)),
                records => new ChunkedAttachmentStore(records)),
            _ => new SqlStorage(new SqliteDialect(options.SqlitePath),
                records => new FileAttachmentStore(records, options.AttachmentsPath)),
        };
    }

    private static NpgsqlDataSource PostgresDataSource(StorageOptions options)
    {
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString ?? throw new InvalidOperationException(
            "Storage:ConnectionString is required when Storage:Provider is Postgres."));
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            // Every request runs the same few statements: prepared once per connection, PostgreSQL
            // skips parsing and planning them (1.3x the prekey fetch rate, bench/README.md).
            builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }
        return builder.Build();
    }

    /// <summary>Creates or upgrades the schema; safe to run from several instances at once.</summary>
    public Task<int> MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(int.MaxValue, cancellationToken);

    internal SqlDialect Dialect => _dialect;

    /// <summary>Up to <paramref name="throughVersion"/> only: how tests build a schema of an earlier release.</summary>
    internal async Task<int> MigrateAsync(int throughVersion, CancellationToken cancellationToken)
    {
        if (_dialect is SqliteDialect sqlite)
        {
            await sqlite.UseWriteAheadLogAsync(cancellationToken).ConfigureAwait(false);
        }
        return await SchemaMigrator.MigrateAsync(_dialect, throughVersion, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Answers whether the engine takes a query right now.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.Command("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (System.Data.Common.DbException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_dialect is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }
}
