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
/// join of the ack's arrays with the table walked the whole primary key for every batch. The writer's transactions
/// plan them as this test does: with <see cref="PostgresMailboxWriter.KeyedScans"/>.
/// </summary>
public sealed class PostgresAckPlanTests
{
    public static TheoryData<string, string, string> Statements => new()
    {
        { "ack", PostgresMailboxWriter.AckDeliver, "envelopes" },
        { "read", PostgresMailboxWriter.MarkRead, "message_recipients" },
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public async Task Generic_plan_on_a_queue_vacuumed_when_drained_reads_rows_by_key(string name, string statement, string table)
    {
        var connectionString = await (await PostgresServer.Shared).CreateDatabaseAsync();
        TestUser user;
        await using (var storage = await StorageFactory.PostgresAsync(connectionString))
        {
            user = await TestUsers.CreateAsync(storage, devices: 1, now: 1_800_000_000_000);
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // A vacuum that finds the queue drained leaves its pages and counts no rows: the planner then takes the table
        // for empty, however full it is again.
        await ExecuteAsync(connection, user.UserId, Fill + """
            ALTER TABLE envelopes SET (autovacuum_enabled = false);
            ALTER TABLE message_recipients SET (autovacuum_enabled = false);
            DELETE FROM envelopes WHERE seq < 20000;
            DELETE FROM message_recipients WHERE updated_at < 20000;
            """);
        await ExecuteAsync(connection, user.UserId, "VACUUM envelopes, message_recipients");
        await ExecuteAsync(connection, user.UserId, Fill + "SET plan_cache_mode = force_generic_plan;");
        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, user.UserId, PostgresMailboxWriter.KeyedScans);
        await using (var prepare = new NpgsqlCommand($"PREPARE {name}(uuid[], uuid[], int[], bigint[]) AS {statement}", connection))
        {
            await prepare.ExecuteNonQueryAsync();
        }
        await using var explain = new NpgsqlCommand(
            $"EXPLAIN (FORMAT JSON) EXECUTE {name}(ARRAY[gen_random_uuid()], ARRAY[gen_random_uuid()], ARRAY[1], ARRAY[1::bigint])",
            connection);
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);

        var scans = ScansOf(plan.RootElement[0].GetProperty("Plan"), table).ToList();
        Assert.NotEmpty(scans);
        Assert.All(scans, scan => Assert.True(scan.TryGetProperty("Index Cond", out _) || scan.TryGetProperty("Recheck Cond", out _),
            $"{scan.GetProperty("Node Type")} on {table} without a key condition:\n{plan.RootElement}"));
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
