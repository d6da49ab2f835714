namespace E2eeChat.Domain.Sessions;

/// <summary>Owns sessions and their refresh tokens (stored as hashes only).</summary>
public interface ISessionStore
{
    Task CreateAsync(Session session, byte[] refreshTokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the presented token used and stores its successor, atomically. A token already used changes nothing
    /// and answers <see cref="RefreshOutcomeKind.Retried"/> when it was used at or after <paramref name="retriedSince"/>,
    /// its successor is <paramref name="nextHash"/> and its session is live; otherwise
    /// <see cref="RefreshOutcomeKind.Reused"/>, with its session.
    /// </summary>
    Task<RefreshOutcome> RotateAsync(byte[] presentedHash, byte[] nextHash, DateTimeOffset now, DateTimeOffset nextExpiry,
        DateTimeOffset retriedSince, CancellationToken cancellationToken);

    Task<bool> IsActiveAsync(Guid sessionId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="sessionIds"/> are live at <paramref name="now"/>, in one query.</summary>
    Task<IReadOnlySet<Guid>> ActiveAmongAsync(IReadOnlyList<Guid> sessionIds, DateTimeOffset now, CancellationToken cancellationToken);

    Task RevokeAsync(Guid sessionId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes every session of one device; returns how many were live.</summary>
    Task<int> RevokeDeviceAsync(Guid userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken);
}
