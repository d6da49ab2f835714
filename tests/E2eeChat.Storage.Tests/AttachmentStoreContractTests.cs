using System.Security.Cryptography;
using E2eeChat.Domain.Attachments;
using E2eeChat.Storage.Attachments;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;
using Npgsql;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>What every attachment store must do: durable offsets, resumable writes, one writer, quotas, expiry.</summary>
public abstract class AttachmentStoreContractTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
    private static readonly DateTimeOffset Later = Now.AddDays(30);

    protected TempDirectory Directory { get; } = new("e2eechat-attachments");

    private SqlStorage _storage = null!;

    protected IAttachmentStore Store => _storage.Attachments;

    protected abstract Task<SqlStorage> CreateStorageAsync();

    /// <summary>The bytes the engine holds for an attachment, read around the store (file, or chunk rows).</summary>
    protected abstract Task<byte[]?> RawBytesAsync(string id);

    public async Task InitializeAsync() => _storage = await CreateStorageAsync();

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        Directory.Dispose();
    }

    [Fact]
    public async Task Appends_in_pieces_across_chunk_boundaries_read_back_byte_for_byte_with_seeks()
    {
        var content = RandomNumberGenerator.GetBytes((int)(2.5 * ChunkedAttachmentStore.ChunkBytes));
        var upload = await CreateAsync(content.Length);

        var cuts = new[] { 0, 700_000, 2_200_000, content.Length };
        for (var i = 0; i < cuts.Length - 1; i++)
        {
            var result = await Store.AppendAsync(upload.Id, cuts[i], Slice(content, cuts[i], cuts[i + 1]), Later, None);
            Assert.Equal(new AppendResult(AppendStatus.Appended, cuts[i + 1]), result);
        }

        var stored = await Store.FindAsync(upload.Id, None);
        Assert.True(stored!.IsComplete);
        Assert.Equal(Later, stored.ExpiresAt);
        await using var read = await Store.OpenReadAsync(stored, None);
        Assert.True(read.CanSeek);
        Assert.Equal(content.Length, read.Length);
        Assert.Equal(content, await ReadAllAsync(read));
        // A Range download seeks: into the middle of the second chunk, across the boundary with the third.
        read.Seek(ChunkedAttachmentStore.ChunkBytes + 12_345, SeekOrigin.Begin);
        var slice = new byte[ChunkedAttachmentStore.ChunkBytes];
        await read.ReadExactlyAsync(slice);
        Assert.Equal(content.AsSpan(ChunkedAttachmentStore.ChunkBytes + 12_345, slice.Length).ToArray(), slice);
    }

    [Fact]
    public async Task An_unfinished_upload_keeps_its_upload_expiry_and_is_not_complete()
    {
        var upload = await CreateAsync(1000);

        Assert.Equal(new AppendResult(AppendStatus.Appended, 400), await Store.AppendAsync(upload.Id, 0, new MemoryStream(Bytes(400)), Later, None));

        var stored = await Store.FindAsync(upload.Id, None);
        Assert.False(stored!.IsComplete);
        Assert.Equal(400, stored.Offset);
        Assert.Equal(upload.ExpiresAt, stored.ExpiresAt);
    }

    [Fact]
    public async Task Append_at_a_stale_offset_writes_nothing_and_reports_the_current_offset()
    {
        var upload = await CreateAsync(1000);
        var first = Bytes(300);
        await Store.AppendAsync(upload.Id, 0, new MemoryStream(first), Later, None);

        var stale = await Store.AppendAsync(upload.Id, 0, new MemoryStream(Bytes(300)), Later, None);

        Assert.Equal(new AppendResult(AppendStatus.OffsetMismatch, 300), stale);
        Assert.Equal(first, await RawBytesAsync(upload.Id));
    }

    [Fact]
    public async Task Content_that_fails_midway_keeps_the_bytes_read_and_rethrows_so_the_client_can_resume()
    {
        var content = RandomNumberGenerator.GetBytes(1_500_000);
        var upload = await CreateAsync(content.Length);

        await Assert.ThrowsAsync<IOException>(() =>
            Store.AppendAsync(upload.Id, 0, new FailingStream(content, failAfter: 1_234_567), Later, None));

        Assert.Equal(1_234_567, (await Store.FindAsync(upload.Id, None))!.Offset);
        var resumed = await Store.AppendAsync(upload.Id, 1_234_567, Slice(content, 1_234_567, content.Length), Later, None);
        Assert.Equal(new AppendResult(AppendStatus.Appended, content.Length), resumed);
        Assert.Equal(content, await RawBytesAsync(upload.Id));
    }

    [Fact]
    public async Task Content_longer_than_the_upload_is_read_only_up_to_its_length()
    {
        var upload = await CreateAsync(100);
        var content = Bytes(150);

        var result = await Store.AppendAsync(upload.Id, 0, new MemoryStream(content), Later, None);

        Assert.Equal(new AppendResult(AppendStatus.Appended, 100), result);
        Assert.Equal(content[..100], await RawBytesAsync(upload.Id));
    }

    [Fact]
    public async Task Concurrent_appends_at_one_offset_store_exactly_one_of_them()
    {
        var upload = await CreateAsync(2 * ChunkedAttachmentStore.ChunkBytes);
        var contents = Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetBytes(ChunkedAttachmentStore.ChunkBytes)).ToArray();

        var results = await Task.WhenAll(contents.Select(c => Task.Run(() => Store.AppendAsync(upload.Id, 0, new MemoryStream(c), Later, None))));

        var winners = results.Select((r, i) => (r, i)).Where(x => x.r.Status == AppendStatus.Appended).ToList();
        Assert.Single(winners);
        Assert.All(results.Where(r => r.Status != AppendStatus.Appended),
            r => Assert.Contains(r.Status, new[] { AppendStatus.OffsetMismatch, AppendStatus.Locked }));
        Assert.Equal(ChunkedAttachmentStore.ChunkBytes, (await Store.FindAsync(upload.Id, None))!.Offset);
        Assert.Equal(contents[winners[0].i], await RawBytesAsync(upload.Id));
    }

    [Fact]
    public async Task Creations_beyond_the_daily_quota_are_refused_and_the_next_UTC_day_has_a_fresh_one()
    {
        var owner = Guid.NewGuid();
        Assert.True(await Store.TryCreateAsync(Upload(owner, 600, Now), 1000, None));
        Assert.True(await Store.TryCreateAsync(Upload(owner, 400, Now), 1000, None));

        var refused = Upload(owner, 1, Now);
        Assert.False(await Store.TryCreateAsync(refused, 1000, None));
        Assert.Null(await Store.FindAsync(refused.Id, None));
        Assert.True(await Store.TryCreateAsync(Upload(Guid.NewGuid(), 1000, Now), 1000, None));
        Assert.True(await Store.TryCreateAsync(Upload(owner, 1000, Now.AddDays(1)), 1000, None));
    }

    [Fact]
    public async Task Concurrent_creations_never_pass_the_daily_quota()
    {
        var owner = Guid.NewGuid();

        var created = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(_ => Task.Run(() => Store.TryCreateAsync(Upload(owner, 100, Now), 500, None))));

        Assert.Equal(5, created.Count(c => c));
    }

    [Fact]
    public async Task Reaping_deletes_what_expired_with_its_bytes_and_keeps_the_rest()
    {
        var expired = await CreateAsync(10, expiresAt: Now.AddMinutes(1));
        var finished = await CreateAsync(10, expiresAt: Now.AddMinutes(1));
        var live = await CreateAsync(10, expiresAt: Now.AddDays(1));
        await Store.AppendAsync(expired.Id, 0, new MemoryStream(Bytes(5)), Later, None);
        await Store.AppendAsync(finished.Id, 0, new MemoryStream(Bytes(10)), Now.AddMinutes(1), None);
        await Store.AppendAsync(live.Id, 0, new MemoryStream(Bytes(5)), Later, None);

        Assert.Equal(2, await Store.DeleteExpiredAsync(Now.AddMinutes(1), None));

        Assert.Null(await Store.FindAsync(expired.Id, None));
        Assert.Null(await Store.FindAsync(finished.Id, None));
        Assert.Null(await RawBytesAsync(expired.Id));
        Assert.Null(await RawBytesAsync(finished.Id));
        Assert.NotNull(await Store.FindAsync(live.Id, None));
        Assert.Equal(5, (await RawBytesAsync(live.Id))!.Length);
        Assert.Equal(0, await Store.DeleteExpiredAsync(Now.AddMinutes(1), None));
    }

    [Fact]
    public async Task Appending_to_an_upload_that_was_reaped_reports_it_gone_and_leaves_nothing()
    {
        var upload = await CreateAsync(10, expiresAt: Now.AddMinutes(1));
        await Store.DeleteExpiredAsync(Now.AddMinutes(1), None);

        var result = await Store.AppendAsync(upload.Id, 0, new MemoryStream(Bytes(10)), Later, None);

        Assert.Equal(AppendStatus.NotFound, result.Status);
        Assert.Null(await RawBytesAsync(upload.Id));
    }

    protected async Task<Attachment> CreateAsync(long length, DateTimeOffset? expiresAt = null)
    {
        var upload = Upload(Guid.NewGuid(), length, Now, expiresAt);
        Assert.True(await Store.TryCreateAsync(upload, long.MaxValue, None));
        return upload;
    }

    private static Attachment Upload(Guid owner, long length, DateTimeOffset at, DateTimeOffset? expiresAt = null) =>
        new(AttachmentId.New(), owner, length, 0, at, expiresAt ?? at.AddDays(1));

    protected static byte[] Bytes(int count) => RandomNumberGenerator.GetBytes(count);

    private static MemoryStream Slice(byte[] content, int from, int to) => new(content, from, to - from, writable: false);

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>A request body whose client goes away after <c>failAfter</c> bytes.</summary>
    private sealed class FailingStream(byte[] content, int failAfter) : MemoryStream(content, 0, failAfter, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            return read > 0 ? read : throw new IOException("The client closed the connection.");
        }
    }
}

public sealed class FileAttachmentStoreContractTests : AttachmentStoreContractTests
{
    private string FilesPath => Path.Combine(Directory.Path, "attachments");

    protected override Task<SqlStorage> CreateStorageAsync() => StorageFactory.SqliteAsync(Directory);

    protected override async Task<byte[]?> RawBytesAsync(string id)
    {
        var path = Path.Combine(FilesPath, id);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path) : null;
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Files_are_owner_only_in_an_owner_only_directory()
    {
        var upload = await CreateAsync(10);
        await Store.AppendAsync(upload.Id, 0, new MemoryStream(Bytes(10)), DateTimeOffset.MaxValue, CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(FilesPath, upload.Id)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(FilesPath));
    }

    [Fact]
    public async Task Bytes_past_the_recorded_offset_from_a_crash_are_cut_before_the_next_append()
    {
        var upload = await CreateAsync(20);
        var first = Bytes(10);
        await Store.AppendAsync(upload.Id, 0, new MemoryStream(first), DateTimeOffset.MaxValue, CancellationToken.None);
        // A crash after the write and before the commit leaves bytes the offset does not count.
        await File.AppendAllBytesAsync(Path.Combine(FilesPath, upload.Id), Bytes(7));

        var rest = Bytes(10);
        await Store.AppendAsync(upload.Id, 10, new MemoryStream(rest), DateTimeOffset.MaxValue, CancellationToken.None);

        byte[] expected = [.. first, .. rest];
        Assert.Equal(expected, await RawBytesAsync(upload.Id));
    }
}

public sealed class PostgresAttachmentStoreContractTests : AttachmentStoreContractTests
{
    private string _connectionString = null!;

    protected override async Task<SqlStorage> CreateStorageAsync()
    {
        _connectionString = await (await PostgresServer.Shared).CreateDatabaseAsync();
        return await StorageFactory.PostgresAsync(_connectionString);
    }

    protected override async Task<byte[]?> RawBytesAsync(string id)
    {
        var chunks = await ChunksAsync(id);
        return chunks.Count == 0 ? null : chunks.SelectMany(c => c.Data).ToArray();
    }

    [Fact]
    public async Task Bytes_are_stored_as_contiguous_chunks_of_at_most_one_MiB()
    {
        var upload = await CreateAsync(3 * ChunkedAttachmentStore.ChunkBytes + 5);
        await Store.AppendAsync(upload.Id, 0, new MemoryStream(Bytes((int)upload.Length)), DateTimeOffset.MaxValue, CancellationToken.None);

        var chunks = await ChunksAsync(upload.Id);

        Assert.Equal(4, chunks.Count);
        Assert.All(chunks, c => Assert.InRange(c.Data.Length, 1, ChunkedAttachmentStore.ChunkBytes));
        long expected = 0;
        foreach (var (offset, data) in chunks)
        {
            Assert.Equal(expected, offset);
            expected += data.Length;
        }
        Assert.Equal(upload.Length, expected);
    }

    private async Task<List<(long Offset, byte[] Data)>> ChunksAsync(string id)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT chunk_offset, data FROM attachment_chunks WHERE attachment_id = @id ORDER BY chunk_offset", connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        var chunks = new List<(long, byte[])>();
        while (await reader.ReadAsync())
        {
            chunks.Add((reader.GetInt64(0), (byte[])reader.GetValue(1)));
        }
        return chunks;
    }
}
