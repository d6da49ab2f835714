using E2eeChat.Domain.Messages;
using E2eeChat.Storage;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;

namespace E2eeChat.Storage.Tests;

/// <summary>Fresh, migrated storage on each engine the project ships (up to <c>throughVersion</c>, to test an upgrade).</summary>
internal static class StorageFactory
{
    public static async Task<SqlStorage> SqliteAsync(TempDirectory directory, int throughVersion = int.MaxValue,
        GroupCommitOptions? groupCommit = null, MailboxQuota? quota = null)
    {
        var storage = SqlStorage.Create(new StorageOptions
        {
            Provider = StorageProvider.Sqlite,
            SqlitePath = Path.Combine(directory.Path, "test.db"),
            AttachmentsPath = Path.Combine(directory.Path, "attachments"),
            GroupCommit = groupCommit ?? new GroupCommitOptions(),
        }, quota);
        await storage.MigrateAsync(throughVersion, CancellationToken.None);
        return storage;
    }

    public static async Task<SqlStorage> PostgresAsync(string? connectionString = null, int throughVersion = int.MaxValue,
        GroupCommitOptions? groupCommit = null, MailboxQuota? quota = null)
    {
        connectionString ??= await (await PostgresServer.Shared).CreateDatabaseAsync();
        var storage = SqlStorage.Create(new StorageOptions
        {
            Provider = StorageProvider.Postgres,
            ConnectionString = connectionString,
            GroupCommit = groupCommit ?? new GroupCommitOptions(),
        }, quota);
        await storage.MigrateAsync(throughVersion, CancellationToken.None);
        return storage;
    }
}
