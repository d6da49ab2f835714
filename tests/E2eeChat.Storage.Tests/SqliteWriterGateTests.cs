using System.Data;
using System.Data.Common;
using E2eeChat.Storage.Sql;
using E2eeChat.Storage.Sqlite;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>SQLite's writers queue in the process, asynchronously, instead of meeting SQLITE_BUSY.</summary>
public sealed class SqliteWriterGateTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _directory = new("e2eechat-gate");
    private readonly SqliteDialect _dialect;

    public SqliteWriterGateTests()
    {
        _dialect = new SqliteDialect(Path.Combine(_directory.Path, "gate.db"));
    }

    public void Dispose()
    {
        _dialect.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_second_writer_waits_without_blocking_its_caller_and_goes_once_the_first_connection_closes()
    {
        var first = await _dialect.OpenAsync(CancellationToken.None);
        var firstWrite = await _dialect.BeginWriteAsync(first, CancellationToken.None);
        await using var second = await _dialect.OpenAsync(CancellationToken.None);

        var secondWrite = _dialect.BeginWriteAsync(second, CancellationToken.None).AsTask();

        Assert.False(secondWrite.IsCompleted);
        await firstWrite.CommitAsync();
        await first.DisposeAsync();
        await using var transaction = await secondWrite.WaitAsync(Timeout);
        await transaction.CommitAsync();
    }

    [Fact]
    public async Task Another_dialect_on_the_same_file_shares_the_gate()
    {
        var other = new SqliteDialect(Path.Combine(_directory.Path, ".", "gate.db"));
        await using var first = await _dialect.OpenAsync(CancellationToken.None);
        await using var firstWrite = await _dialect.BeginWriteAsync(first, CancellationToken.None);
        await using var second = await other.OpenAsync(CancellationToken.None);

        var secondWrite = other.BeginWriteAsync(second, CancellationToken.None).AsTask();

        Assert.False(secondWrite.IsCompleted);
        await firstWrite.RollbackAsync();
        await first.CloseAsync();
        await using var transaction = await secondWrite.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_writer_that_gives_up_waiting_leaves_the_gate_to_the_others()
    {
        await using var first = await _dialect.OpenAsync(CancellationToken.None);
        await using var firstWrite = await _dialect.BeginWriteAsync(first, CancellationToken.None);
        await using var impatient = await _dialect.OpenAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var gaveUp = _dialect.BeginWriteAsync(impatient, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp);
        await impatient.DisposeAsync();
        await first.DisposeAsync();
        await using var third = await _dialect.OpenAsync(CancellationToken.None);
        await using var transaction = await _dialect.BeginWriteAsync(third, CancellationToken.None).AsTask().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Many_concurrent_writers_all_commit()
    {
        await using (var setup = await _dialect.OpenAsync(CancellationToken.None))
        await using (var create = setup.Command("CREATE TABLE counter (n INTEGER NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            await using var connection = await _dialect.OpenAsync(CancellationToken.None);
            await using var transaction = await _dialect.BeginWriteAsync(connection, CancellationToken.None);
            await using var insert = connection.Command("INSERT INTO counter (n) VALUES (@n)", transaction).With("n", i);
            await insert.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        })).WaitAsync(TimeSpan.FromSeconds(60));

        await using var read = await _dialect.OpenAsync(CancellationToken.None);
        await using var count = read.Command("SELECT COUNT(DISTINCT n) FROM counter");
        Assert.Equal(64L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Batched_writes_share_one_connection_that_holds_the_gate_while_in_use_and_stays_open_after()
    {
        DbConnection writer;
        Task<DbTransaction> waiting;
        await using (var other = await _dialect.OpenAsync(CancellationToken.None))
        {
            await using (var connection = await _dialect.OpenForWritesAsync(CancellationToken.None))
            {
                writer = connection;
                await using var transaction = await _dialect.BeginWriteAsync(connection, CancellationToken.None);
                waiting = _dialect.BeginWriteAsync(other, CancellationToken.None).AsTask();
                Assert.False(waiting.IsCompleted);
                await transaction.CommitAsync();
            }
            Assert.Equal(ConnectionState.Open, writer.State);
            await using (var transaction = await waiting.WaitAsync(Timeout))
            {
                var next = _dialect.OpenForWritesAsync(CancellationToken.None).AsTask();
                Assert.False(next.IsCompleted);
                await transaction.CommitAsync();
                await other.CloseAsync();
                await using var again = await next.WaitAsync(Timeout);
                Assert.Same(writer, again);
            }
        }

        _dialect.Dispose();

        Assert.Equal(ConnectionState.Closed, writer.State);
    }

    [Fact]
    public async Task A_batch_that_rolls_back_leaves_the_writer_connection_ready_for_the_next()
    {
        await using (var setup = await _dialect.OpenAsync(CancellationToken.None))
        await using (var create = setup.Command("CREATE TABLE counter (n INTEGER NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync();
        }
        foreach (var commit in new[] { false, true })
        {
            await using var connection = await _dialect.OpenForWritesAsync(CancellationToken.None);
            await using var transaction = await _dialect.BeginWriteAsync(connection, CancellationToken.None);
            await using var insert = connection.Command("INSERT INTO counter (n) VALUES (@n)", transaction).With("n", commit ? 2 : 1);
            await insert.ExecuteNonQueryAsync();
            if (commit)
            {
                await transaction.CommitAsync();
            }
        }

        await using var read = await _dialect.OpenAsync(CancellationToken.None);
        await using var values = read.Command("SELECT group_concat(n) FROM counter");
        Assert.Equal("2", await values.ExecuteScalarAsync());
    }
}
