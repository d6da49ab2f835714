namespace E2eeChat.Server.Limits;

/// <summary>
/// Takes one permit from a named bucket for a key (an IP, a username, a device pair).
/// Throws <c>rate_limited</c> (429 with Retry-After) when the bucket is empty.
/// </summary>
public interface IRequestRateLimiter
{
    ValueTask AcquireAsync(RateLimitBucket bucket, string key, CancellationToken cancellationToken);
}
