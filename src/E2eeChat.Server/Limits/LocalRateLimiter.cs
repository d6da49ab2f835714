using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using E2eeChat.Domain.Errors;
using E2eeChat.Server.Errors;

namespace E2eeChat.Server.Limits;

/// <summary>In-process fixed windows from System.Threading.RateLimiting, one partitioned limiter per bucket.</summary>
internal sealed class LocalRateLimiter(RateLimitOptions options) : IRequestRateLimiter, IDisposable
{
    private readonly ConcurrentDictionary<RateLimitBucket, PartitionedRateLimiter<string>> _buckets = new();

    public ValueTask AcquireAsync(RateLimitBucket bucket, string key, CancellationToken cancellationToken)
    {
        var rule = options.RuleFor(bucket);
        var limiter = _buckets.GetOrAdd(bucket, _ => PartitionedRateLimiter.Create<string, string>(partition =>
            RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = rule.PermitLimit,
                Window = rule.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            })));
        using var lease = limiter.AttemptAcquire(key);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : rule.Window;
            throw RateLimited(bucket, retryAfter);
        }
        return ValueTask.CompletedTask;
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
}
