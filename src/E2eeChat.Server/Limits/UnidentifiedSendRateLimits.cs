namespace E2eeChat.Server.Limits;

/// <summary>
/// The buckets of a send without authentication, where no account is known: the client's address, then each destination
/// user. Taken before the access key is checked, so guessing keys costs permits like any other send.
/// </summary>
public static class UnidentifiedSendRateLimits
{
    public static async ValueTask AcquireUnidentifiedSendAsync(this IRequestRateLimiter limiter, HttpContext context,
        IReadOnlyList<Guid> destinations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(destinations);
        await limiter.AcquireAsync(RateLimitBucket.UnidentifiedMessagesPerIp, ClientAddress.Of(context), cancellationToken)
            .ConfigureAwait(false);
        foreach (var destination in destinations)
        {
            await limiter.AcquireAsync(RateLimitBucket.UnidentifiedMessagesPerDestination, destination.ToString(), cancellationToken)
                .ConfigureAwait(false);
        }
    }
}
