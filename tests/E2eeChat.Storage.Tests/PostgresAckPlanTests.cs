using System.Text.Json;
using E2eeChat.Storage.Postgres;
using E2eeChat.Testing.Postgres;
using Npgsql;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>
/// The ack and read statements reach their rows by key whatever the planner believes of the tables' sizes. Both are
/// prepared, and a prepared statement runs a generic plan: the arrays count as 10 rows and each table is as big as its
/// last ANALYZE said. <c>envelopes</c> is a queue, analyzed at any size, often empty; planned against that, the bare
/// join of the ack's arrays with the table walked the whole primary key for every batch. Each test builds that queue:
/// 20,000 rows, drained, vacuumed (the statistics now say empty), then refilled.
/// </summary>
public sealed class PostgresAckPlanTests
{
    private const long Now = 1_800_000_000_000;

    [Theory]
    [InlineData("ack", "envelopes")]
    [InlineData("read", "message_recipients")]
    public async Task Generic_plan_on_a_queue_vacuumed_when_drained_reads_rows_by_key(string statement, string table)
    {
        var (connectionString, user) = await VacuumedQueueAsync(genericPlans: false);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // The writer's transactions plan as this one does.
        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, user, "SET plan_cache_mode = force_generic_plan; " + PostgresMailboxWriter.KeyedScans);
        var sql = statement == "ack" ? PostgresMailboxWriter.AckDeliver : PostgresMailboxWriter.MarkRead;
        await ExecuteAsync(connection, user, $"PREPARE {statement}(uuid[], uuid[], int[], bigint[]) AS {sql}");
        await using var explain = new NpgsqlCommand(
            $"EXPLAIN (FORMAT JSON) EXECUTE {statement}(ARRAY[gen_random_uuid()], ARRAY[gen_random_uuid()], ARRAY[1], ARRAY[1::bigint])",
            connection);
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);

        var scans = ScansOf(plan.RootElement[0].GetProperty("Plan"), table).ToList();
        Assert.NotEmpty(scans);
        Assert.All(scans, scan => Assert.True(scan.TryGetProperty("Index Cond", out _) || scan.TryGetProperty("Recheck Cond", out _),
            $"{scan.GetProperty("Node Type")} on {table} without a key condition:\n{plan.RootElement}"));
    }

    [Fact]
    public async Task Store_acks_on_a_queue_vacuumed_when_drained_read_a_few_index_entries()
    {
        var (connectionString, user) = await VacuumedQueueAsync(genericPlans: true);
        await using var storage = await StorageFactory.PostgresAsync(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var ids = new List<Guid>();
        await using (var oldest = new NpgsqlCommand("SELECT id FROM envelopes ORDER BY seq LIMIT 4", connection))
        await using (var reader = await oldest.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetGuid(0));
            }
        }
        // This session's reads are reported now, before the baseline; each ack's once its backend has reported it.
        await ExecuteAsync(connection, user, "SELECT pg_stat_force_next_flush()");
        var before = await EnvelopeKeyReadsAsync(connection, moreScansThan: null);

        // Npgsql prepares a statement on its second use; the database makes every prepared plan generic.
        var after = before;
        foreach (var id in ids)
        {
            await storage.Mailboxes.AckAsync(user, 1, [id], Now, CancellationToken.None);
            after = await EnvelopeKeyReadsAsync(connection, moreScansThan: after.Scans);
        }

        // Walking the whole key would read some 40,000 index entries per ack; a sequential scan as many rows.
        Assert.Equal(before.SequentialRows, after.SequentialRows);
        Assert.InRange(after.IndexEntries - before.IndexEntries, ids.Count, 100 * ids.Count);
    }

    /// <summary>The envelopes' read counters (scans of the table, primary-key entries, rows read in sequence), once the table counts more scans than given.</summary>
    private static async Task<(long Scans, long IndexEntries, long SequentialRows)> EnvelopeKeyReadsAsync(NpgsqlConnection connection,
        long? moreScansThan)
    {
        // A backend reports its statistics when it goes idle, at most once a second and at the latest after ten.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            await using (var read = new NpgsqlCommand("""
                SELECT t.seq_scan + t.idx_scan, i.idx_tup_read, t.seq_tup_read FROM pg_stat_user_indexes i
                JOIN pg_stat_user_tables t ON t.relid = i.relid WHERE i.indexrelname = 'envelopes_pkey'
                """, connection))
            await using (var reader = await read.ExecuteReaderAsync(timeout.Token))
            {
                await reader.ReadAsync(timeout.Token);
                var stats = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                if (moreScansThan is null || stats.Item1 > moreScansThan)
                {
                    return stats;
                }
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>
    /// A database whose envelopes and status rows were drained, vacuumed and refilled, with autovacuum off for them; with
    /// <paramref name="genericPlans"/>, every session opened afterwards plans prepared statements generically.
    /// </summary>
    private static async Task<(string ConnectionString, Guid User)> VacuumedQueueAsync(bool genericPlans)
    {
        var connectionString = await (await PostgresServer.Shared).CreateDatabaseAsync();
        Guid user;
        await using (var storage = await StorageFactory.PostgresAsync(connectionString))
        {
            user = (await TestUsers.CreateAsync(storage, devices: 1, now: Now)).UserId;
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // A vacuum that finds the queue drained leaves its pages and counts no rows: the planner then takes the table
        // for empty, however full it is again.
        await ExecuteAsync(connection, user, Fill + """
            ALTER TABLE envelopes SET (autovacuum_enabled = false);
            ALTER TABLE message_recipients SET (autovacuum_enabled = false);
            DELETE FROM envelopes WHERE seq < 20000;
            DELETE FROM message_recipients WHERE updated_at < 20000;
            """);
        await ExecuteAsync(connection, user, "VACUUM envelopes, message_recipients");
        await ExecuteAsync(connection, user, Fill);
        if (genericPlans)
        {
            await ExecuteAsync(connection, user,
                $"ALTER DATABASE \"{connection.Database}\" SET plan_cache_mode = force_generic_plan");
        }
        return (connectionString, user);
    }

    private const string Fill = """
        INSERT INTO messages (message_id, sender_user, sender_device, server_timestamp, needs_sync)
            SELECT gen_random_uuid(), @user, 1, n, false FROM generate_series(1, 20000) n;
        INSERT INTO envelopes (id, user_id, device_id, seq, message_id, type, source_user, source_device, client_timestamp,
                server_timestamp, content)
            SELECT gen_random_uuid(), @user, 1, (SELECT coalesce(max(seq), 0) FROM envelopes) + row_number() OVER (), message_id,
                1, @user, 1, 0, server_timestamp, '\x00'
            FROM messages WHERE message_id NOT IN (SELECT message_id FROM envelopes);
        INSERT INTO message_recipients (message_id, user_id, device_id, sender_user, status, updated_at)
            SELECT message_id, @user, 1, @user, 0, server_timestamp FROM messages
            WHERE message_id NOT IN (SELECT message_id FROM message_recipients);
        """;

    private static async Task ExecuteAsync(NpgsqlConnection connection, Guid user, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("user", user);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The plan's nodes that read <paramref name="table"/>'s rows (scans, and the target of a DELETE or UPDATE's scan).</summary>
    private static IEnumerable<JsonElement> ScansOf(JsonElement node, string table)
    {
        if (node.GetProperty("Node Type").GetString()!.EndsWith("Scan", StringComparison.Ordinal)
            && node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == table)
        {
            yield return node;
        }
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                foreach (var scan in ScansOf(child, table))
                {
                    yield return scan;
                }
            }
        }
    }
}
