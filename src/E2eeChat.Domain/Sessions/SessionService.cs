using E2eeChat.Domain.Common;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Sessions;

/// <summary>
/// Starts, rotates and ends device sessions. A replayed refresh token ends the whole device, unless it comes back
/// within the grace window after its rotation: then it gets the same successor again (DESIGN §3).
/// </summary>
public sealed class SessionService(ISessionStore sessions, ISessionRevocations revocations, SessionTokenOptions options,
    RefreshTokenSuccessor successor, TimeProvider clock)
{
    public async Task<SessionGrant> StartAsync(Guid userId, int deviceId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var session = new Session(Guid.NewGuid(), userId, deviceId, now, now + options.RefreshTokenLifetime);
        var refreshToken = SecretToken.New();
        await sessions.CreateAsync(session, SecretToken.Hash(refreshToken), cancellationToken).ConfigureAwait(false);
        return new SessionGrant(session, refreshToken);
    }

    public async Task<SessionGrant> RefreshAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(refreshToken) || refreshToken.Length > 256)
        {
            throw InvalidToken();
        }
        var now = clock.GetUtcNow();
        var next = successor.Of(refreshToken);
        var outcome = await sessions.RotateAsync(SecretToken.Hash(refreshToken), SecretToken.Hash(next), now,
            now + options.RefreshTokenLifetime, now - options.RefreshGraceWindow, cancellationToken).ConfigureAwait(false);
        switch (outcome.Kind)
        {
            case RefreshOutcomeKind.Rotated:
            case RefreshOutcomeKind.Retried:
                return new SessionGrant(outcome.Session!, next);
            case RefreshOutcomeKind.Reused:
                // A used token coming back means it leaked: end every session of that device.
                var session = outcome.Session!;
                await RevokeDeviceAsync(session.UserId, session.DeviceId, "refresh_token_reused", cancellationToken)
                    .ConfigureAwait(false);
                throw DomainException.Unauthorized(ErrorCodes.RefreshTokenReused,
                    "This refresh token was already used; the device's sessions are revoked. Log in again.");
            default:
                throw InvalidToken();
        }
    }

    public Task<bool> IsActiveAsync(Guid sessionId, CancellationToken cancellationToken) =>
        sessions.IsActiveAsync(sessionId, clock.GetUtcNow(), cancellationToken);

    public Task<IReadOnlySet<Guid>> ActiveAmongAsync(IReadOnlyList<Guid> sessionIds, CancellationToken cancellationToken) =>
        sessions.ActiveAmongAsync(sessionIds, clock.GetUtcNow(), cancellationToken);

    public async Task EndAsync(Guid userId, int deviceId, Guid sessionId, CancellationToken cancellationToken)
    {
        await sessions.RevokeAsync(sessionId, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await revocations.DeviceRevokedAsync(userId, deviceId, "logged_out", cancellationToken).ConfigureAwait(false);
    }

    public async Task RevokeDeviceAsync(Guid userId, int deviceId, string reason, CancellationToken cancellationToken)
    {
        await sessions.RevokeDeviceAsync(userId, deviceId, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await revocations.DeviceRevokedAsync(userId, deviceId, reason, cancellationToken).ConfigureAwait(false);
    }

    private static DomainException InvalidToken() =>
        DomainException.Unauthorized(ErrorCodes.InvalidRefreshToken, "The refresh token is unknown or expired.");
}
