using System.Text.Json;

namespace E2eeChat.HubClient;

/// <summary>An invocation waiting for its Completion, seen without its result type.</summary>
internal interface IPendingInvocation
{
    void SetResult(ReadOnlySpan<byte> resultJson, JsonSerializerOptions options);

    void SetError(string error);

    void SetFailed(Exception exception);

    void Cancel(CancellationToken cancellationToken);
}

/// <summary>The caller's task for one invocation; the result is deserialized straight from the receive buffer.</summary>
internal sealed class PendingInvocation<T> : TaskCompletionSource<T?>, IPendingInvocation
{
    private readonly bool _ignoreResult;

    // Continuations run on the thread pool so that no caller code ever runs inside the receive loop.
    public PendingInvocation(bool ignoreResult)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _ignoreResult = ignoreResult;
    }

    public void SetResult(ReadOnlySpan<byte> resultJson, JsonSerializerOptions options)
    {
        if (_ignoreResult || resultJson.IsEmpty)
        {
            TrySetResult(default);
            return;
        }
        try
        {
            TrySetResult(JsonSerializer.Deserialize<T>(resultJson, options));
        }
        catch (JsonException ex)
        {
            TrySetException(new InvalidDataException(
                $"The invocation result could not be read as {typeof(T).Name}: {ex.Message}", ex));
        }
    }

    public void SetError(string error) => TrySetException(HubException.FromServerError(error));

    public void SetFailed(Exception exception) => TrySetException(exception);

    public void Cancel(CancellationToken cancellationToken) => TrySetCanceled(cancellationToken);
}
