using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace E2eeChat.Scaleout;

/// <summary>An invocation waiting for a client's answer, on behalf of a caller here or on another instance.</summary>
internal abstract class PendingResult(string connectionId, string invocationId)
{
    public string ConnectionId { get; } = connectionId;

    public string InvocationId { get; } = invocationId;

    /// <summary>What the hub protocol should read the client's result as.</summary>
    public abstract Type ResultType { get; }

    public abstract Task CompleteAsync(CompletionMessage completion);

    /// <summary>The connection went away before it answered.</summary>
    public abstract Task DisconnectedAsync();

    public abstract void Abandon(Exception reason);
}

/// <summary>A caller on this instance awaiting a <typeparamref name="T"/>.</summary>
internal sealed class PendingResult<T>(ClientResults owner, string connectionId, string invocationId)
    : PendingResult(connectionId, invocationId)
{
    private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _cancellation;

    public override Type ResultType => typeof(T);

    public Task<T> Task => _result.Task;

    /// <summary>Called once the entry is registered, so a token that is already cancelled finds it.</summary>
    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static state => ((PendingResult<T>)state!).Cancel(), this);
        }
    }

    public override Task CompleteAsync(CompletionMessage completion)
    {
        _cancellation.Dispose();
        if (!completion.HasResult)
        {
            _result.TrySetException(new HubException(completion.Error ?? "The client completed the invocation without a result."));
        }
        else if (completion.Result is T result)
        {
            _result.TrySetResult(result);
        }
        else if (completion.Result is null && default(T) is null)
        {
            _result.TrySetResult(default!);
        }
        else
        {
            _result.TrySetException(new HubException($"Error trying to deserialize result to {typeof(T).Name}."));
        }
        return System.Threading.Tasks.Task.CompletedTask;
    }

    public override Task DisconnectedAsync()
    {
        Abandon(new IOException($"Connection '{ConnectionId}' disconnected."));
        return System.Threading.Tasks.Task.CompletedTask;
    }

    public override void Abandon(Exception reason)
    {
        _cancellation.Dispose();
        _result.TrySetException(reason);
    }

    private void Cancel()
    {
        if (owner.TryRemove(this))
        {
            _result.TrySetException(new HubException("Invocation canceled by the server."));
        }
    }
}

/// <summary>
/// A caller on another instance: the client's answer, read as raw bytes, goes back to it through
/// Redis in the protocol of the connection that gave it.
/// </summary>
internal sealed class ForwardedResult(string connectionId, string invocationId, Func<CompletionMessage, Task> forward)
    : PendingResult(connectionId, invocationId)
{
    public override Type ResultType => typeof(RawResult);

    public override Task CompleteAsync(CompletionMessage completion) => forward(completion);

    public override Task DisconnectedAsync() => forward(CompletionMessage.WithError(InvocationId, "Connection disconnected."));

    public override void Abandon(Exception reason)
    {
        // The caller is elsewhere; without us its own token or timeout ends the wait.
    }
}
