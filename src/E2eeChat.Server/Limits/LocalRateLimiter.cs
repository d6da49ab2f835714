using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using E2eeChat.Domain.Errors;
using E2eeChat.Server.Errors;

namespace E2eeChat.Server.Limits;

/// <summary>In-process token buckets from System.Threading.RateLimiting, one partitioned limiter per bucket.</summary>
internal sealed class LocalRateLimiter(RateLimitOptions options) : IRequestRateLimiter, IDisposable
{
    private readonly ConcurrentDictionary<RateLimitBucket, PartitionedRateLimiter<string>> _buckets = new();

    public async ValueTask AcquireAsync(RateLimitBucket bucket, string key, CancellationToken cancellationToken)
    {
        var limiter = _buckets.GetOrAdd(bucket, Create);
        using var lease = await limiter.AcquireAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            throw RateLimited(bucket,
                lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : options.RuleFor(bucket).Refill.Step);
        }
    }

    public void Dispose()
    {
        foreach (var limiter in _buckets.Values)
        {
            limiter.Dispose();
        }
    }

    internal static DomainException RateLimited(RateLimitBucket bucket, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        return new DomainException(ErrorKind.TooManyRequests, ErrorCodes.RateLimited,
            $"Too many requests ({bucket}). Retry after {seconds.ToString(CultureInfo.InvariantCulture)} seconds.",
            new Dictionary<string, object?> { [ProblemResponses.RetryAfterExtension] = seconds });
    }

    private PartitionedRateLimiter<string> Create(RateLimitBucket bucket)
    {
        var rule = options.RuleFor(bucket);
        var (tokensPerStep, step) = rule.Refill;
        var bucketOptions = new TokenBucketRateLimiterOptions
        {
            TokenLimit = rule.PermitLimit,
            TokensPerPeriod = tokensPerStep,
            ReplenishmentPeriod = step,
            QueueLimit = 0,
            // Whole steps, as the Redis bucket refills.
            AutoReplenishment = true,
        };
        return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => bucketOptions));
    }
}
