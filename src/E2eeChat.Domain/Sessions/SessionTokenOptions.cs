using E2eeChat.Domain.Common;

namespace E2eeChat.Domain.Sessions;

public sealed class SessionTokenOptions : IValidatedOptions
{
    /// <summary>The longest grace window: beyond a minute a retry is no longer a retry.</summary>
    public static readonly TimeSpan MaxRefreshGraceWindow = TimeSpan.FromMinutes(1);

    /// <summary>A session ends when it is not refreshed for this long.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long after its rotation a used refresh token still gets the same successor instead of revoking the
    /// device: a client that timed out waiting for the answer and tries again is not an attacker. Zero turns it off.
    /// </summary>
    public TimeSpan RefreshGraceWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often each instance asks the store whether the sessions of its live hub connections are still live. Logout
    /// and device removal close connections at once over the device bus; this catches what the bus lost (a revocation
    /// published while Redis was down; after Redis returns the check also runs at once).
    /// </summary>
    public TimeSpan LiveCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    public void Validate()
    {
        if (LiveCheckInterval < TimeSpan.FromSeconds(1) || LiveCheckInterval > TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException(
                $"Sessions:LiveCheckInterval must be from 00:00:01 to 01:00:00, not {LiveCheckInterval:c}.");
        }
        if (RefreshGraceWindow < TimeSpan.Zero || RefreshGraceWindow > MaxRefreshGraceWindow)
        {
            throw new InvalidOperationException(
                $"Sessions:RefreshGraceWindow must be from 00:00:00 to {MaxRefreshGraceWindow:c}, not {RefreshGraceWindow:c}.");
        }
        if (RefreshTokenLifetime <= RefreshGraceWindow)
        {
            throw new InvalidOperationException("Sessions:RefreshTokenLifetime must be longer than Sessions:RefreshGraceWindow.");
        }
    }
}
