using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace E2eeChat.Scaleout;

/// <summary>
/// The client-result invocations in flight on this instance, by invocation id: those a caller here
/// awaits, and those this instance relays for a caller elsewhere because it holds the connection.
/// Ids are GUIDs, so ids minted by different instances never collide.
/// </summary>
internal sealed class ClientResults : IInvocationBinder, IDisposable
{
    private readonly ConcurrentDictionary<string, PendingResult> _pending = new(StringComparer.Ordinal);

    public int Count => _pending.Count;

    public static string NewInvocationId() => Guid.NewGuid().ToString("N");

    public Task<T> Add<T>(string connectionId, string invocationId, CancellationToken cancellationToken)
    {
        var pending = new PendingResult<T>(this, connectionId, invocationId);
        Register(pending);
        pending.RegisterCancellation(cancellationToken);
        return pending.Task;
    }

    public void AddForwarded(string connectionId, string invocationId, Func<CompletionMessage, Task> forward) =>
        Register(new ForwardedResult(connectionId, invocationId, forward));

    public bool TryRemove(PendingResult pending) =>
        _pending.TryRemove(new KeyValuePair<string, PendingResult>(pending.InvocationId, pending));

    public void Remove(string invocationId) => _pending.TryRemove(invocationId, out _);

    public bool TryGetType(string invocationId, [NotNullWhen(true)] out Type? type)
    {
        type = _pending.TryGetValue(invocationId, out var pending) ? pending.ResultType : null;
        return type is not null;
    }

    /// <summary>
    /// A client answered on this instance. An answer nobody waits for any more (cancelled, or the
    /// connection left) is ignored; one from the wrong connection throws and changes nothing.
    /// </summary>
    public Task CompleteAsync(string connectionId, CompletionMessage completion)
    {
        if (completion.InvocationId is not { } invocationId || !_pending.TryGetValue(invocationId, out var pending))
        {
            return Task.CompletedTask;
        }
        if (!string.Equals(pending.ConnectionId, connectionId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Connection ID '{connectionId}' is not valid for invocation ID '{invocationId}'.");
        }
        return TryRemove(pending) ? pending.CompleteAsync(completion) : Task.CompletedTask;
    }

    /// <summary>
    /// An answer relayed by the instance that holds the connection, in <paramref name="protocol"/>.
    /// It is read as the type the caller waits for; an answer of the wrong type fails the caller.
    /// </summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "A protocol may throw anything on a result it cannot bind; the raw read below decides what it was.")]
    public Task CompleteRemoteAsync(IHubProtocol protocol, ReadOnlyMemory<byte> completionMessage)
    {
        CompletionMessage completion;
        try
        {
            completion = Parse(protocol, completionMessage, this);
        }
        catch (Exception)
        {
            // Either nobody waits any more (the binder threw) or the result is not the awaited type.
            var raw = Parse(protocol, completionMessage, RawResultBinder.Instance);
            if (raw.InvocationId is null || !_pending.TryGetValue(raw.InvocationId, out var pending))
            {
                return Task.CompletedTask;
            }
            completion = CompletionMessage.WithError(raw.InvocationId, $"Error trying to deserialize result to {pending.ResultType.Name}.");
        }
        return completion.InvocationId is { } invocationId && _pending.TryRemove(invocationId, out var waiting)
            ? waiting.CompleteAsync(completion)
            : Task.CompletedTask;
    }

    /// <summary>Fails or relays the failure of everything waiting on a connection that left this instance.</summary>
    public Task DisconnectedAsync(string connectionId)
    {
        if (_pending.IsEmpty)
        {
            return Task.CompletedTask;
        }
        List<Task>? relayed = null;
        foreach (var (_, pending) in _pending)
        {
            if (string.Equals(pending.ConnectionId, connectionId, StringComparison.Ordinal) && TryRemove(pending))
            {
                (relayed ??= []).Add(pending.DisconnectedAsync());
            }
        }
        return relayed is null ? Task.CompletedTask : Task.WhenAll(relayed);
    }

    public void Dispose()
    {
        foreach (var (_, pending) in _pending)
        {
            if (TryRemove(pending))
            {
                pending.Abandon(new IOException("The hub lifetime manager stopped before the client answered."));
            }
        }
    }

    Type IInvocationBinder.GetReturnType(string invocationId) =>
        TryGetType(invocationId, out var type)
            ? type
            : throw new InvalidOperationException($"Invocation ID '{invocationId}' is not associated with a pending client result.");

    IReadOnlyList<Type> IInvocationBinder.GetParameterTypes(string methodName) =>
        throw new NotSupportedException("Only completions are read with this binder.");

    Type IInvocationBinder.GetStreamItemType(string streamId) =>
        throw new NotSupportedException("Only completions are read with this binder.");

    private void Register(PendingResult pending)
    {
        if (!_pending.TryAdd(pending.InvocationId, pending))
        {
            throw new InvalidOperationException($"Invocation ID '{pending.InvocationId}' is already pending.");
        }
    }

    private static CompletionMessage Parse(IHubProtocol protocol, ReadOnlyMemory<byte> bytes, IInvocationBinder binder)
    {
        var input = new ReadOnlySequence<byte>(bytes);
        return protocol.TryParseMessage(ref input, binder, out var message) && message is CompletionMessage completion
            ? completion
            : throw new InvalidDataException($"A relayed client result is not a whole {protocol.Name} completion message.");
    }

    private sealed class RawResultBinder : IInvocationBinder
    {
        public static readonly RawResultBinder Instance = new();

        public Type GetReturnType(string invocationId) => typeof(RawResult);

        public IReadOnlyList<Type> GetParameterTypes(string methodName) => throw new NotSupportedException();

        public Type GetStreamItemType(string streamId) => throw new NotSupportedException();
    }
}
