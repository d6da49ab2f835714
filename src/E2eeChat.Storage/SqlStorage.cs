using System.Data.Common;
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
    private readonly SqlMailboxStore _mailboxes;

    private SqlStorage(SqlDialect dialect, Func<AttachmentRecords, IAttachmentStore> attachments, SqlMailboxStore mailboxes)
    {
        _dialect = dialect;
        Attachments = attachments(new AttachmentRecords(dialect));
        Accounts = new SqlAccountStore(dialect);
        Devices = new SqlDeviceStore(dialect);
        Sessions = new SqlSessionStore(dialect);
        LinkCodes = new SqlLinkCodeStore(dialect);
        _mailboxes = mailboxes;
        Prekeys = new SqlPrekeyStore(dialect);
        Rooms = new SqlRoomStore(dialect);
        PushRegistrations = new SqlPushRegistrationStore(dialect);
    }

    public string ProviderName => _dialect.Name;

    public IAccountStore Accounts { get; }

    public IDeviceStore Devices { get; }

    public ISessionStore Sessions { get; }

    public ILinkCodeStore LinkCodes { get; }

    public IMailboxStore Mailboxes => _mailboxes;

    public IPrekeyStore Prekeys { get; }

    public IRoomStore Rooms { get; }

    public IPushRegistrationStore PushRegistrations { get; }

    /// <summary>Files under <see cref="StorageOptions.AttachmentsPath"/> on SQLite; chunk rows on PostgreSQL.</summary>
    public IAttachmentStore Attachments { get; }

    /// <summary>The engine <paramref name="options"/> name; each destination device's mailbox holds at most <paramref name="quota"/>.</summary>
    public static SqlStorage Create(StorageOptions options, MailboxQuota? quota = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.GroupCommit.Validate();
        quota ??= MailboxQuota.Default;
        if (options.Provider == StorageProvider.Postgres)
        {
            var postgres = new PostgresDialect(PostgresDataSource(options));
            return new SqlStorage(postgres, records => new ChunkedAttachmentStore(records),
                new SqlMailboxStore(postgres, new PostgresMailboxWriter(), quota, options.GroupCommit, options.GroupCommit.Writers));
        }
        // SQLite has one writer at a time: a second batch would only wait at its gate.
        var sqlite = new SqliteDialect(options.SqlitePath);
        return new SqlStorage(sqlite, records => new FileAttachmentStore(records, options.AttachmentsPath),
            new SqlMailboxStore(sqlite, new SqliteMailboxWriter(sqlite), quota, options.GroupCommit, writers: 1));
    }

    private static NpgsqlDataSource PostgresDataSource(StorageOptions options)
    {
        var connectionString = options.ConnectionString ?? throw new InvalidOperationException(
            "Storage:ConnectionString is required when Storage:Provider is Postgres.");
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        if (settings.MaxAutoPrepare == 0)
        {
            // Every request runs the same few statements: prepared once per connection, PostgreSQL
            // skips parsing them (1.3x the prekey fetch rate, bench/README.md).
            settings.MaxAutoPrepare = 32;
            settings.AutoPrepareMinUsages = 2;
        }
        if (settings.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
        {
            // ...and planning them: every statement finds its rows by key, so one plan serves every execution. Left to
            // choose, PostgreSQL prices its custom plans of the mailbox's array statements below the generic one and
            // plans them afresh each time: a quarter of its CPU in a profile at low load (bench/README.md).
            settings.Options = $"{settings.Options} -c plan_cache_mode=force_generic_plan".TrimStart();
        }
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            // No statement leaves session state behind (locks and settings are the transaction's own), so a
            // connection going back to the pool needs no reset: five statements fewer per use.
            settings.NoResetOnClose = true;
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
        await _mailboxes.DisposeAsync().ConfigureAwait(false);
        if (_dialect is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (_dialect is IDisposable owned)
        {
            owned.Dispose();
        }
    }
}
