using System.Collections.Concurrent;

namespace E2eeChat.Server.Realtime;

/// <summary>Counts each user's live connections, to tell when a user comes online (first) and goes offline (last).</summary>
public sealed class PresenceTracker
{
    private readonly ConcurrentDictionary<Guid, int> _connections = new();

    /// <summary>True when this is the user's first live connection.</summary>
    public bool Connected(Guid userId) => _connections.AddOrUpdate(userId, 1, (_, count) => count + 1) == 1;

    /// <summary>True when this was the user's last live connection.</summary>
    public bool Disconnected(Guid userId)
    {
        while (_connections.TryGetValue(userId, out var count))
        {
            if (count <= 1)
            {
                if (_connections.TryRemove(new KeyValuePair<Guid, int>(userId, count)))
                {
                    return true;
                }
            }
            else if (_connections.TryUpdate(userId, count - 1, count))
            {
                return false;
            }
        }
        return false;
    }

    public bool IsOnline(Guid userId) => _connections.ContainsKey(userId);
}
