namespace E2eeChat.Redis.Transport;

/// <summary>
/// Commands written to one connection and not yet answered, oldest first. Redis answers in
/// the order it receives commands, so each reply belongs to the head of this queue.
/// </summary>
internal sealed class PendingReplyQueue
{
    private readonly Queue<PendingReply> _queue = new();
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public void Enqueue(PendingReply pending)
    {
        lock (_gate)
        {
            _queue.Enqueue(pending);
        }
    }

    public bool TryDequeue(out PendingReply pending)
    {
        lock (_gate)
        {
            return _queue.TryDequeue(out pending!);
        }
    }

    /// <summary>Empties the queue; the caller fails what it gets back.</summary>
    public List<PendingReply> DrainAll()
    {
        lock (_gate)
        {
            var drained = new List<PendingReply>(_queue.Count);
            while (_queue.TryDequeue(out var pending))
            {
                drained.Add(pending);
            }
            return drained;
        }
    }

    /// <summary>
    /// Times out every command queued at or before <paramref name="cutoff"/>. They stay queued
    /// until their replies arrive. Entries are in start order, so the walk stops at the first young one.
    /// </summary>
    public void ExpireStartedBefore(long cutoff, Func<PendingReply, int, Exception> timeout)
    {
        lock (_gate)
        {
            foreach (var pending in _queue)
            {
                if (pending.StartedAt > cutoff)
                {
                    break;
                }
                if (!pending.IsCompleted)
                {
                    pending.TrySetException(timeout(pending, _queue.Count));
                }
            }
        }
    }
}
