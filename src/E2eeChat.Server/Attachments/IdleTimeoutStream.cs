namespace E2eeChat.Server.Attachments;

/// <summary>
/// A request body that fails with <see cref="BodyIdleException"/> when no byte arrives for <c>idle</c>. Kestrel's
/// minimum data rate is an average since the body began, so a client that sent megabytes and then lost its network
/// would otherwise hold its upload for many minutes; tus asks servers to time such requests out.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, TimeSpan idle) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(idle);
        try
        {
            return await inner.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BodyIdleException(idle);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the body asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>The client sent nothing for too long; what arrived before is kept (an <see cref="IOException"/>, as any broken body).</summary>
internal sealed class BodyIdleException(TimeSpan idle) : IOException($"No request body data arrived for {idle.TotalSeconds:0.#} s.");
