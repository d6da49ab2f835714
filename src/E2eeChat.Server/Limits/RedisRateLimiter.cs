using System.Globalization;
using E2eeChat.Redis;
using E2eeChat.Scaleout;
using E2eeChat.Server.Cluster;

namespace E2eeChat.Server.Limits;

/// <summary>
/// Cluster-wide limits: a token bucket per key in Redis, refilled at PermitLimit per Window,
/// with Redis's own clock, in one Lua script; keys expire when idle. When Redis is down the
/// limits fall back to this instance's own buckets: they hold per instance, not cluster-wide
/// (neither open nor closed).
/// </summary>
internal sealed partial class RedisRateLimiter(
    RedisBackplane backplane,
    RateLimitOptions options,
    ClusterOptions cluster,
    LocalRateLimiter fallback,
    ILogger<RedisRateLimiter> logger) : IRequestRateLimiter
{
    private static readonly RedisScript TakeToken = new("""
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local capacity = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local rate = capacity / window
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1]) or capacity
        local at = tonumber(state[2]) or now
        tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
        local retry = 0
        if tokens >= 1 then tokens = tokens - 1 else retry = math.ceil((1 - tokens) / rate) end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
        redis.call('PEXPIRE', KEYS[1], window * 2)
        return retry
        """);

    public async ValueTask AcquireAsync(RateLimitBucket bucket, string key, CancellationToken cancellationToken)
    {
        if (backplane.Connection is not { IsConnected: true } connection)
        {
            await fallback.AcquireAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            return;
        }
        var rule = options.RuleFor(bucket);
        long retryAfterMs;
        try
        {
            var reply = await connection.EvaluateAsync(TakeToken,
                [string.Create(CultureInfo.InvariantCulture, $"{cluster.KeyPrefix}:limit:{bucket}:{key}")],
                [rule.PermitLimit, (long)rule.Window.TotalMilliseconds], cancellationToken).ConfigureAwait(false);
            retryAfterMs = reply.AsInteger();
        }
        catch (RedisException exception)
        {
            LogFallback(logger, exception);
            await fallback.AcquireAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (retryAfterMs > 0)
        {
            throw LocalRateLimiter.RateLimited(bucket, TimeSpan.FromMilliseconds(retryAfterMs));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable for rate limits; enforcing per instance")]
    private static partial void LogFallback(ILogger logger, Exception exception);
}
