using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using E2eeChat.Server.Cluster;
using RedisRateLimiting;
using StackExchange.Redis;

namespace E2eeChat.Server.Limits;

/// <summary>
/// Cluster-wide limits: RedisRateLimiting's token bucket per key, the same bucket as <see cref="LocalRateLimiter"/>'s.
/// Its script keeps a bucket in two keys that share a hash slot (<c>rl:tb:{prefix:limit:bucket:key}</c> and <c>…:ts</c>),
/// so it runs on a Redis Cluster too. When Redis is down the limits fall back to this instance's own buckets: they
/// hold per instance, not cluster-wide (neither open nor closed).
/// </summary>
internal sealed partial class RedisRateLimiter(
    IConnectionMultiplexer redis,
    RateLimitOptions options,
    ClusterOptions cluster,
    LocalRateLimiter fallback,
    ILogger<RedisRateLimiter> logger) : IRequestRateLimiter, IDisposable
{
    private readonly ConcurrentDictionary<RateLimitBucket, PartitionedRateLimiter<string>> _buckets = new();

    public async ValueTask AcquireAsync(RateLimitBucket bucket, string key, CancellationToken cancellationToken)
    {
        if (!redis.Answers())
        {
            await fallback.AcquireAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            return;
        }
        RateLimitLease lease;
        try
        {
            lease = await _buckets.GetOrAdd(bucket, Create).AcquireAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisMultiplexer.IsFailure(exception))
        {
            LogFallback(logger, exception);
            await fallback.AcquireAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            return;
        }
        using (lease)
        {
            if (!lease.IsAcquired)
            {
                // RedisRateLimiting reports whole seconds under its own metadata name.
                throw LocalRateLimiter.RateLimited(bucket, TimeSpan.FromSeconds(
                    lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds) ? seconds : 0));
            }
        }
    }

    public void Dispose()
    {
        foreach (var limiter in _buckets.Values)
        {
            limiter.Dispose();
        }
    }

    private PartitionedRateLimiter<string> Create(RateLimitBucket bucket)
    {
        var rule = options.RuleFor(bucket);
        var (tokensPerStep, step) = rule.Refill;
        var bucketOptions = new RedisTokenBucketRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            TokenLimit = rule.PermitLimit,
            TokensPerPeriod = tokensPerStep,
            ReplenishmentPeriod = step,
        };
        // The partition key becomes the hash tag of the bucket's keys; it is never empty, so both keys share a slot.
        var prefix = $"{cluster.KeyPrefix}:limit:{bucket}:";
        return PartitionedRateLimiter.Create<string, string>(key =>
            RedisRateLimitPartition.GetTokenBucketRateLimiter(prefix + key, _ => bucketOptions));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable for rate limits; enforcing per instance")]
    private static partial void LogFallback(ILogger logger, Exception exception);
}
