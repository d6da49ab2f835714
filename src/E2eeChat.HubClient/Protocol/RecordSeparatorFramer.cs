using System.Buffers;

namespace E2eeChat.HubClient.Protocol;

/// <summary>
/// Cuts the bytes received into 0x1E-terminated records, whatever the WebSocket frame and message
/// boundaries were: one read may hold several records, and one record may take several reads.
/// The buffer is rented only while bytes are pending, so an idle connection holds none.
/// </summary>
internal sealed class RecordSeparatorFramer : IDisposable
{
    private readonly int _maximumRecordSize;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private int _scanned;

    public RecordSeparatorFramer(int maximumRecordSize)
    {
        _maximumRecordSize = maximumRecordSize;
    }

    public bool IsEmpty => _start == _end;

    /// <summary>Space for the next read, at least <paramref name="minimumSize"/> bytes.</summary>
    public Memory<byte> GetReceiveMemory(int minimumSize)
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(minimumSize);
        }
        else if (_buffer.Length - _end < minimumSize)
        {
            var pending = _end - _start;
            var target = pending + minimumSize <= _buffer.Length
                ? _buffer
                : ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, pending + minimumSize));
            _buffer.AsSpan(_start, pending).CopyTo(target);
            if (!ReferenceEquals(target, _buffer))
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = target;
            }
            _scanned -= _start;
            _start = 0;
            _end = pending;
        }
        return _buffer.AsMemory(_end);
    }

    public void Advance(int count) => _end += count;

    /// <summary>
    /// The next complete record, without its separator. It stays valid until the next
    /// <see cref="GetReceiveMemory"/> or <see cref="ReleaseIfEmpty"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A record is larger than the configured maximum.</exception>
    public bool TryReadRecord(out ReadOnlySpan<byte> record)
    {
        record = default;
        if (_buffer is null)
        {
            return false;
        }
        var index = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf(HubProtocolWriter.RecordSeparator);
        if (index < 0)
        {
            // Remember how far we looked, so a record arriving in many reads is scanned once.
            _scanned = _end;
            ThrowIfTooLarge(_end - _start);
            return false;
        }
        var end = _scanned + index;
        ThrowIfTooLarge(end - _start);
        record = _buffer.AsSpan(_start, end - _start);
        _start = end + 1;
        _scanned = _start;
        return true;
    }

    /// <summary>Gives the buffer back to the pool when no partial record is pending.</summary>
    public void ReleaseIfEmpty()
    {
        if (_buffer is not null && _start == _end)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _start = _end = _scanned = 0;
        }
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
        _start = _end = _scanned = 0;
    }

    private void ThrowIfTooLarge(int size)
    {
        if (size > _maximumRecordSize)
        {
            throw new InvalidDataException(
                $"A message from the server exceeded MaximumReceiveMessageSize ({_maximumRecordSize} bytes).");
        }
    }
}
