using System.Collections.Concurrent;

namespace E2eeChat.Server.Presence;

/// <summary>Presence for a single process: a count of live connections per user.</summary>
internal sealed class LocalPresenceTracker : IPresenceTracker
{
    private readonly ConcurrentDictionary<Guid, int> _connections = new();

    public ValueTask<bool> ConnectedAsync(Guid userId, string connectionId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_connections.AddOrUpdate(userId, 1, (_, count) => count + 1) == 1);

    public ValueTask<bool> DisconnectedAsync(Guid userId, string connectionId, CancellationToken cancellationToken)
    {
        while (_connections.TryGetValue(userId, out var count))
        {
            if (count <= 1)
            {
                if (_connections.TryRemove(new KeyValuePair<Guid, int>(userId, count)))
                {
                    return ValueTask.FromResult(true);
                }
            }
            else if (_connections.TryUpdate(userId, count - 1, count))
            {
                return ValueTask.FromResult(false);
            }
        }
        return ValueTask.FromResult(false);
    }
}
