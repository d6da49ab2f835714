using E2eeChat.Storage;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;

namespace E2eeChat.Storage.Tests;

/// <summary>Fresh, migrated storage on each engine the project ships.</summary>
internal static class StorageFactory
{
    public static async Task<SqlStorage> SqliteAsync(TempDirectory directory)
    {
        var storage = SqlStorage.Create(new StorageOptions
        {
            Provider = StorageProvider.Sqlite,
            SqlitePath = Path.Combine(directory.Path, "test.db"),
            AttachmentsPath = Path.Combine(directory.Path, "attachments"),
        });
        await storage.MigrateAsync(CancellationToken.None);
        return storage;
    }

    public static async Task<SqlStorage> PostgresAsync(string? connectionString = null)
    {
        connectionString ??= await (await PostgresServer.Shared).CreateDatabaseAsync();
        var storage = SqlStorage.Create(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = connectionString });
        await storage.MigrateAsync(CancellationToken.None);
        return storage;
    }
}
