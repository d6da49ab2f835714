using System.Collections.Concurrent;

namespace E2eeChat.Scaleout;

/// <summary>
/// Waits for other instances to confirm the group changes this one asked of them. Each request
/// gets an id; the confirmation names it; a request nobody confirms in time fails with
/// <see cref="TimeoutException"/>, so no caller waits forever on an instance that died.
/// </summary>
internal sealed class AckHandler : IDisposable
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _pending = new();
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private long _lastId;
    private bool _disposed;

    public AckHandler(TimeSpan timeout, TimeProvider time)
    {
        _timeout = timeout;
        _time = time;
    }

    public int PendingCount => _pending.Count;

    /// <summary>Registers a request: send it with <c>Id</c>, then <see cref="WaitAsync"/> on <c>Acknowledged</c>.</summary>
    public (long Id, Task Acknowledged) Create()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var id = Interlocked.Increment(ref _lastId);
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = acknowledged;
        return (id, acknowledged.Task);
    }

    public void Acknowledge(long id)
    {
        if (_pending.TryRemove(id, out var acknowledged))
        {
            acknowledged.TrySetResult();
        }
    }

    /// <summary>Waits for the acknowledgement; throws <see cref="TimeoutException"/> naming <paramref name="what"/> when none comes.</summary>
    public async Task WaitAsync(long id, Task acknowledged, string what, CancellationToken cancellationToken)
    {
        try
        {
            await acknowledged.WaitAsync(_timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException(
                $"No instance confirmed {what} within {_timeout.TotalSeconds:0.###} s; the instance holding the connection may be gone.",
                exception);
        }
        finally
        {
            Forget(id);
        }
    }

    /// <summary>For a request that was never sent, or needs no answer.</summary>
    public void Forget(long id) => _pending.TryRemove(id, out _);

    public void Dispose()
    {
        _disposed = true;
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var acknowledged))
            {
                acknowledged.TrySetException(new ObjectDisposedException(nameof(AckHandler), "The lifetime manager stopped before the change was confirmed."));
            }
        }
    }
}
