using System.Globalization;
using E2eeChat.Redis;
using E2eeChat.Scaleout;
using E2eeChat.Server.Cluster;

namespace E2eeChat.Server.Presence;

/// <summary>
/// Presence counted across instances: one Redis set per user of "instance|connection" members.
/// Members of instances whose heartbeat key expired (a crash) are pruned on every change, so a
/// dead instance cannot keep a user online. Without Redis, this instance counts alone.
/// </summary>
internal sealed partial class RedisPresenceTracker(
    RedisBackplane backplane,
    InstanceIdentity instance,
    ClusterOptions options,
    ILogger<RedisPresenceTracker> logger) : IPresenceTracker
{
    private static readonly RedisScript Change = new("""
        if ARGV[2] == 'add' then redis.call('SADD', KEYS[1], ARGV[1]) else redis.call('SREM', KEYS[1], ARGV[1]) end
        for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          local owner = string.match(member, '^(.*)|')
          if owner and owner ~= ARGV[5] and redis.call('EXISTS', ARGV[3] .. owner) == 0 then
            redis.call('SREM', KEYS[1], member)
          end
        end
        local count = redis.call('SCARD', KEYS[1])
        if count > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
        return count
        """);

    private readonly LocalPresenceTracker _fallback = new();

    public async ValueTask<bool> ConnectedAsync(Guid userId, string connectionId, CancellationToken cancellationToken)
    {
        var local = await _fallback.ConnectedAsync(userId, connectionId, cancellationToken).ConfigureAwait(false);
        return await CountAsync(userId, connectionId, "add", cancellationToken).ConfigureAwait(false) is { } count ? count == 1 : local;
    }

    public async ValueTask<bool> DisconnectedAsync(Guid userId, string connectionId, CancellationToken cancellationToken)
    {
        var local = await _fallback.DisconnectedAsync(userId, connectionId, cancellationToken).ConfigureAwait(false);
        return await CountAsync(userId, connectionId, "remove", cancellationToken).ConfigureAwait(false) is { } count ? count == 0 : local;
    }

    /// <summary>The user's live connections across the cluster after the change, or null without Redis.</summary>
    private async ValueTask<long?> CountAsync(Guid userId, string connectionId, string change, CancellationToken cancellationToken)
    {
        if (backplane.Connection is not { IsConnected: true } connection)
        {
            return null;
        }
        try
        {
            var reply = await connection.EvaluateAsync(Change,
                [string.Create(CultureInfo.InvariantCulture, $"{options.KeyPrefix}:presence:{userId:N}")],
                [$"{instance.Id}|{connectionId}", change, $"{options.KeyPrefix}:instance:",
                    (long)TimeSpan.FromDays(1).TotalMilliseconds, instance.Id],
                cancellationToken).ConfigureAwait(false);
            return reply.AsInteger();
        }
        catch (RedisException exception)
        {
            LogFallback(logger, exception);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis unavailable for presence; counting this instance only")]
    private static partial void LogFallback(ILogger logger, Exception exception);
}
