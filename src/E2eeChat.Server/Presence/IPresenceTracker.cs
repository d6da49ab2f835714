namespace E2eeChat.Server.Presence;

/// <summary>Counts each user's live connections, to tell when a user comes online (first) and goes offline (last).</summary>
public interface IPresenceTracker
{
    /// <summary>True when this is the user's first live connection.</summary>
    ValueTask<bool> ConnectedAsync(Guid userId, string connectionId, CancellationToken cancellationToken);

    /// <summary>True when this was the user's last live connection.</summary>
    ValueTask<bool> DisconnectedAsync(Guid userId, string connectionId, CancellationToken cancellationToken);
}
