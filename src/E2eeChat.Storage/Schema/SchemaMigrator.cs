using System.Data.Common;
using E2eeChat.Storage.Sql;

namespace E2eeChat.Storage.Schema;

/// <summary>
/// Brings the schema up to date in one transaction, under the dialect's migration lock,
/// so instances that start together apply each step exactly once.
/// </summary>
internal static class SchemaMigrator
{
    public static Task<int> MigrateAsync(SqlDialect dialect, CancellationToken cancellationToken) =>
        MigrateAsync(dialect, int.MaxValue, cancellationToken);

    /// <summary>Applies the steps up to <paramref name="throughVersion"/>; tests start from an older schema with it.</summary>
    public static async Task<int> MigrateAsync(SqlDialect dialect, int throughVersion, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await dialect.LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

        await using (var create = connection.Command(
            $"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {dialect.Int64Type} NOT NULL)",
            transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var done = new HashSet<int>();
        await using (var read = connection.Command("SELECT version FROM schema_version", transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                done.Add(reader.GetInt32(0));
            }
        }

        var applied = 0;
        foreach (var migration in Migrations.All)
        {
            if (done.Contains(migration.Version) || migration.Version > throughVersion)
            {
                continue;
            }
            await using (var step = connection.Command(migration.Sql(dialect), transaction))
            {
                await step.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await using (var record = connection.Command(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (@v, @n, @t)", transaction))
            {
                await record.With("v", migration.Version).With("n", migration.Name)
                    .With("t", DateTimeOffset.UtcNow.ToUnixMs())
                    .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            applied++;
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }
}
