using System.Diagnostics.CodeAnalysis;

namespace E2eeChat.HubClient;

/// <summary>
/// Invocations sent and not yet completed, by id. Once closed it fails every waiting invocation and
/// refuses new ones, so no caller waits on a connection that is gone.
/// </summary>
internal sealed class PendingInvocations
{
    private readonly Dictionary<long, IPendingInvocation> _pending = [];
    private long _lastId;
    private Func<HubConnectionClosedException>? _closedError;

    /// <summary>Registers an invocation and returns its id.</summary>
    /// <exception cref="HubConnectionClosedException">The connection has closed.</exception>
    public long Add(IPendingInvocation invocation)
    {
        lock (_pending)
        {
            if (_closedError is not null)
            {
                throw _closedError();
            }
            var id = ++_lastId;
            _pending.Add(id, invocation);
            return id;
        }
    }

    public bool TryRemove(long id, [NotNullWhen(true)] out IPendingInvocation? invocation)
    {
        lock (_pending)
        {
            return _pending.Remove(id, out invocation);
        }
    }

    /// <summary>Fails every pending invocation with a fresh exception from <paramref name="error"/>, and all later ones.</summary>
    public void Close(Func<HubConnectionClosedException> error)
    {
        IPendingInvocation[] failed;
        lock (_pending)
        {
            if (_closedError is not null)
            {
                return;
            }
            _closedError = error;
            failed = [.. _pending.Values];
            _pending.Clear();
        }
        foreach (var invocation in failed)
        {
            invocation.SetFailed(error());
        }
    }
}
