namespace E2eeChat.Domain.Sessions;

/// <summary>Owns sessions and their refresh tokens (stored as hashes only).</summary>
public interface ISessionStore
{
    Task CreateAsync(Session session, byte[] refreshTokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the presented token used and stores its successor, atomically. A token that was
    /// already used answers <see cref="RefreshOutcomeKind.Reused"/> with its session and changes nothing.
    /// </summary>
    Task<RefreshOutcome> RotateAsync(byte[] presentedHash, byte[] nextHash, DateTimeOffset now, DateTimeOffset nextExpiry,
        CancellationToken cancellationToken);

    Task<bool> IsActiveAsync(Guid sessionId, DateTimeOffset now, CancellationToken cancellationToken);

    Task RevokeAsync(Guid sessionId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes every session of one device; returns how many were live.</summary>
    Task<int> RevokeDeviceAsync(Guid userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken);
}
