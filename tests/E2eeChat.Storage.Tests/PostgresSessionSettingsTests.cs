using E2eeChat.Testing.Postgres;
using Npgsql;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>
/// The sessions the storage opens on PostgreSQL: prepared statements keep one generic plan (the mailbox's array
/// statements would otherwise be planned on every execution) and go back to the pool without a reset, unless the
/// operator's connection string says otherwise.
/// </summary>
public sealed class PostgresSessionSettingsTests
{
    [Fact]
    public async Task By_default_sessions_keep_generic_plans_and_skip_the_reset()
    {
        var database = await (await PostgresServer.Shared).CreateDatabaseAsync();
        await using var storage = await StorageFactory.PostgresAsync(database);

        var (planCacheMode, settings) = await SessionOfAsync(storage);

        Assert.Equal("force_generic_plan", planCacheMode);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal(32, settings.MaxAutoPrepare);
    }

    [Fact]
    public async Task The_connection_string_overrides_each_default()
    {
        var database = await (await PostgresServer.Shared).CreateDatabaseAsync();
        var own = new NpgsqlConnectionStringBuilder(database)
        {
            Options = "-c plan_cache_mode=force_custom_plan -c statement_timeout=5s",
            NoResetOnClose = false,
            MaxAutoPrepare = 5,
        };
        await using var storage = await StorageFactory.PostgresAsync(own.ConnectionString);

        var (planCacheMode, settings) = await SessionOfAsync(storage);

        Assert.Equal("force_custom_plan", planCacheMode);
        Assert.False(settings.NoResetOnClose);
        Assert.Equal(5, settings.MaxAutoPrepare);
        Assert.Contains("statement_timeout=5s", settings.Options, StringComparison.Ordinal);
    }

    private static async Task<(string PlanCacheMode, NpgsqlConnectionStringBuilder Settings)> SessionOfAsync(SqlStorage storage)
    {
        await using var connection = (NpgsqlConnection)await storage.Dialect.OpenAsync(CancellationToken.None);
        await using var show = new NpgsqlCommand("SHOW plan_cache_mode", connection);
        var mode = (string)(await show.ExecuteScalarAsync())!;
        return (mode, new NpgsqlConnectionStringBuilder(connection.ConnectionString));
    }
}
