using System.Threading.Tasks.Sources;

namespace E2eeChat.Redis.Transport;

/// <summary>
/// The caller's side of one command in flight. It is its own <see cref="IValueTaskSource{T}"/>,
/// so awaiting a command costs this one object and no Task. It completes once: by its reply,
/// a timeout, the caller's cancellation or the connection closing, whichever comes first.
/// A command completed early stays queued, because its reply must still be read and dropped.
/// </summary>
internal sealed class PendingReply : IValueTaskSource<RedisReply>
{
    // Continuations run on the thread pool so a slow caller never stalls the receive loop.
    private ManualResetValueTaskSourceCore<RedisReply> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;
    private int _completed;

    public PendingReply(string? commandName, long startedAt)
    {
        CommandName = commandName;
        StartedAt = startedAt;
    }

    /// <summary>The command's name when it was given as text; only for error messages.</summary>
    public string? CommandName { get; }

    /// <summary>When the command was queued, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long StartedAt { get; }

    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    public ValueTask<RedisReply> AsValueTask() => new(this, _core.Version);

    /// <summary>Must run before the command is queued, so that completion can unregister it.</summary>
    public void CancelWith(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) =>
                ((PendingReply)state!).Complete(default, new OperationCanceledException(token), fromCancellation: true), this);
        }
    }

    public bool TrySetResult(RedisReply reply) => Complete(reply, null, fromCancellation: false);

    public bool TrySetException(Exception exception) => Complete(default, exception, fromCancellation: false);

    public RedisReply GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);

    private bool Complete(RedisReply reply, Exception? exception, bool fromCancellation)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        if (!fromCancellation)
        {
            // Inside its own callback the registration may not even be assigned yet.
            _cancellation.Unregister();
        }
        if (exception is null)
        {
            _core.SetResult(reply);
        }
        else
        {
            _core.SetException(exception);
        }
        return true;
    }
}
