using E2eeChat.Domain.Errors;
using E2eeChat.Server.Limits;

namespace E2eeChat.Server.Metrics;

/// <summary>Counts each refusal by bucket, whichever limiter (in-process or Redis) refused.</summary>
internal sealed class MeteredRateLimiter(IRequestRateLimiter inner, E2eeChatMetrics metrics) : IRequestRateLimiter
{
    public async ValueTask AcquireAsync(RateLimitBucket bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            await inner.AcquireAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        }
        catch (DomainException exception) when (exception.Code == ErrorCodes.RateLimited)
        {
            metrics.RateLimited(bucket);
            throw;
        }
    }
}
