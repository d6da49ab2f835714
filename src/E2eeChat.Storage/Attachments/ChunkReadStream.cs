using E2eeChat.Storage.Sql;

namespace E2eeChat.Storage.Attachments;

/// <summary>
/// A seekable, read-only view of an attachment's chunk rows, so that the host's Range support works on it as on a
/// file. It holds one chunk at a time and a pooled connection only for the query that fetches it.
/// </summary>
internal sealed class ChunkReadStream(SqlDialect dialect, string id, long length) : Stream
{
    private byte[] _chunk = [];
    private long _chunkOffset = -1;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.IsEmpty)
        {
            return 0;
        }
        if (_chunkOffset < 0 || _position < _chunkOffset || _position >= _chunkOffset + _chunk.Length)
        {
            await LoadChunkAsync(cancellationToken).ConfigureAwait(false);
        }
        var start = (int)(_position - _chunkOffset);
        var count = (int)Math.Min(Math.Min(buffer.Length, _chunk.Length - start), length - _position);
        _chunk.AsSpan(start, count).CopyTo(buffer.Span);
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The host reads asynchronously only (Kestrel forbids synchronous I/O).</summary>
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Read attachments asynchronously.");

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private async Task LoadChunkAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("""
            SELECT chunk_offset, data FROM attachment_chunks
            WHERE attachment_id = @id AND chunk_offset <= @position
            ORDER BY chunk_offset DESC LIMIT 1
            """);
        await using var reader = await command.With("id", id).With("position", _position)
            .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new IOException($"Attachment {id} has no chunk at {_position}; it was deleted while being read.");
        }
        _chunkOffset = reader.GetInt64(0);
        _chunk = reader.GetBytes(1);
        if (_position >= _chunkOffset + _chunk.Length)
        {
            throw new IOException($"Attachment {id} has no chunk at {_position}; it was deleted while being read.");
        }
    }
}
