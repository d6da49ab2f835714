using System.Diagnostics;
using System.Threading.Channels;

namespace E2eeChat.Storage.Sql;

/// <summary>One caller's request waiting in a <see cref="GroupCommitter{TRequest,TResult}"/>, and how it is answered.</summary>
internal sealed class PendingCommit<TRequest, TResult>(TRequest request, CancellationToken cancellationToken)
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TRequest Request { get; } = request;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public Task<TResult> Task => _completion.Task;

    public bool IsCompleted => _completion.Task.IsCompleted;

    public void Complete(TResult result) => _completion.TrySetResult(result);

    public void Fail(Exception exception) => _completion.TrySetException(exception);
}

/// <summary>
/// Gathers concurrent requests into batches and hands each batch to one commit: a writer loop takes what is queued when
/// it is free (no added latency when idle), up to a count and a weight, optionally waiting a short delay for more. The
/// commit answers every request of its batch; whichever it leaves unanswered fail with its exception.
/// </summary>
internal sealed class GroupCommitter<TRequest, TResult> : IAsyncDisposable
{
    private readonly Channel<PendingCommit<TRequest, TResult>> _queue =
        Channel.CreateUnbounded<PendingCommit<TRequest, TResult>>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly string _kind;
    private readonly Func<List<PendingCommit<TRequest, TResult>>, CancellationToken, Task> _commit;
    private readonly Func<TRequest, int> _weight;
    private readonly GroupCommitOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _writers;

    public GroupCommitter(string kind, Func<List<PendingCommit<TRequest, TResult>>, CancellationToken, Task> commit,
        Func<TRequest, int> weight, GroupCommitOptions options, int writers)
    {
        _kind = kind;
        _commit = commit;
        _weight = weight;
        _options = options;
        _writers = new Task[writers];
        for (var i = 0; i < writers; i++)
        {
            _writers[i] = Task.Run(WriteAsync);
        }
    }

    public Task<TResult> SubmitAsync(TRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingCommit<TRequest, TResult>(request, cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommitter<TRequest, TResult>));
        }
        // A caller that gives up stops waiting; its request may still commit, as a request cancelled mid-transaction could.
        return pending.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteAsync()
    {
        var reader = _queue.Reader;
        PendingCommit<TRequest, TResult>? carried = null;
        var batch = new List<PendingCommit<TRequest, TResult>>(_options.MaxBatchSize);
        while (true)
        {
            if (carried is null)
            {
                try
                {
                    if (!await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            batch.Clear();
            var weight = 0;
            if (carried is not null)
            {
                batch.Add(carried);
                weight = _weight(carried.Request);
                carried = null;
            }
            carried = await FillAsync(reader, batch, weight).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                continue;
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                await _commit(batch, _stopping.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every caller hears of the failure; the writer goes on with the next batch.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                foreach (var pending in batch)
                {
                    pending.Fail(exception);
                }
            }
            GroupCommitMetrics.Committed(_kind, batch.Count, Stopwatch.GetElapsedTime(started));
            foreach (var pending in batch)
            {
                if (!pending.IsCompleted)
                {
                    pending.Fail(new InvalidOperationException("The commit left a request unanswered."));
                }
            }
        }
    }

    /// <summary>Takes queued requests up to the limits; returns one that would have gone over the weight, for the next batch.</summary>
    private async Task<PendingCommit<TRequest, TResult>?> FillAsync(ChannelReader<PendingCommit<TRequest, TResult>> reader,
        List<PendingCommit<TRequest, TResult>> batch, int weight)
    {
        using var delay = _options.MaxDelay > TimeSpan.Zero ? new CancellationTokenSource(_options.MaxDelay) : null;
        while (batch.Count < _options.MaxBatchSize)
        {
            if (!reader.TryRead(out var pending))
            {
                if (delay is null || batch.Count == 0)
                {
                    return null;
                }
                try
                {
                    if (!await reader.WaitToReadAsync(delay.Token).ConfigureAwait(false))
                    {
                        return null;
                    }
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
                continue;
            }
            if (pending.CancellationToken.IsCancellationRequested)
            {
                pending.Fail(new OperationCanceledException(pending.CancellationToken));
                continue;
            }
            var itsWeight = _weight(pending.Request);
            if (batch.Count > 0 && weight + itsWeight > _options.MaxBatchEnvelopes)
            {
                return pending;
            }
            batch.Add(pending);
            weight += itsWeight;
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_queue.Writer.TryComplete())
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_writers).ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var pending))
        {
            pending.Fail(new ObjectDisposedException(nameof(GroupCommitter<TRequest, TResult>)));
        }
        _stopping.Dispose();
    }
}
