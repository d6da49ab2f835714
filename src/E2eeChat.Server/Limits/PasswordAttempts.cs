namespace E2eeChat.Server.Limits;

/// <summary>
/// The buckets a password attempt at a username takes from, for signing in and for linking a device alike.
/// Keyed by username and client address first: an attacker's failures use up their own address's share, not the
/// owner's. Then the per-username ceiling, which only failures from many addresses together reach. The order
/// matters: a request refused per address takes nothing from the ceiling.
/// </summary>
internal static class PasswordAttempts
{
    public static async ValueTask AcquirePasswordAttemptAsync(this IRequestRateLimiter limiter, string username, string clientAddress,
        CancellationToken cancellationToken)
    {
        await limiter.AcquireAsync(RateLimitBucket.TokenPerUsernameAndIp, $"{username}@{clientAddress}", cancellationToken)
            .ConfigureAwait(false);
        await limiter.AcquireAsync(RateLimitBucket.TokenPerUsername, username, cancellationToken).ConfigureAwait(false);
    }
}
