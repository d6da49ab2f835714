using System.Collections.Concurrent;
using System.Globalization;
using E2eeChat.Server.Cluster;
using StackExchange.Redis;

namespace E2eeChat.Server.Presence;

/// <summary>
/// Presence counted across instances: one Redis set per user of "instance|connection" members. The script touches
/// that one key only, so it runs on a Redis Cluster too; the instances that crashed (<see cref="ClusterHeartbeat"/>)
/// come in as arguments, and their members are pruned on every change, so a dead instance cannot keep a user online.
/// Without Redis, this instance counts alone, and removals it could not make are made when Redis returns.
/// </summary>
internal sealed partial class RedisPresenceTracker : IPresenceTracker, IDisposable
{
    // KEYS[1] the user's set; ARGV: the member, 'add' or 'remove', the set's lifetime in ms, then the silent instances.
    private const string Change = """
        if ARGV[2] == 'add' then redis.call('SADD', KEYS[1], ARGV[1]) else redis.call('SREM', KEYS[1], ARGV[1]) end
        if #ARGV > 3 then
          local silent = {}
          for i = 4, #ARGV do silent[ARGV[i]] = true end
          for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
            local owner = string.match(member, '^(.*)|')
            if owner and silent[owner] then redis.call('SREM', KEYS[1], member) end
          end
        end
        local count = redis.call('SCARD', KEYS[1])
        if count > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
        return count
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly ClusterHeartbeat _heartbeat;
    private readonly InstanceIdentity _instance;
    private readonly string _keyPrefix;
    private readonly ILogger<RedisPresenceTracker> _logger;
    private readonly LocalPresenceTracker _fallback = new();
    private readonly ConcurrentQueue<(Guid UserId, string ConnectionId)> _unsentRemovals = new();

    public RedisPresenceTracker(IConnectionMultiplexer redis, ClusterHeartbeat heartbeat, InstanceIdentity instance,
        ClusterOptions options, ILogger<RedisPresenceTracker> logger)
    {
        _redis = redis;
        _heartbeat = heartbeat;
        _instance = instance;
        _keyPrefix = options.KeyPrefix;
        _logger = logger;
        _redis.ConnectionRestored += OnConnectionRestored;
    }

    public async ValueTask<bool> ConnectedAsync(Guid userId, string connectionId, CancellationToken cancellationToken)
    {
        var local = await _fallback.ConnectedAsync(userId, connectionId, cancellationToken).ConfigureAwait(false);
        return await CountAsync(userId, connectionId, "add").ConfigureAwait(false) is { } count ? count == 1 : local;
    }

    public async ValueTask<bool> DisconnectedAsync(Guid userId, string connectionId, CancellationToken cancellationToken)
    {
        var local = await _fallback.DisconnectedAsync(userId, connectionId, cancellationToken).ConfigureAwait(false);
        if (await CountAsync(userId, connectionId, "remove").ConfigureAwait(false) is { } count)
        {
            return count == 0;
        }
        // Left in Redis, this connection would keep the user online for everyone until the set expires.
        _unsentRemovals.Enqueue((userId, connectionId));
        return local;
    }

    public void Dispose() => _redis.ConnectionRestored -= OnConnectionRestored;

    /// <summary>The user's live connections across the cluster after the change, or null without Redis.</summary>
    private async Task<long?> CountAsync(Guid userId, string connectionId, string change)
    {
        if (!_redis.Answers())
        {
            return null;
        }
        var silent = _heartbeat.SilentInstances;
        var arguments = new RedisValue[3 + silent.Length];
        arguments[0] = $"{_instance.Id}|{connectionId}";
        arguments[1] = change;
        arguments[2] = (long)ClusterHeartbeat.Memory.TotalMilliseconds;
        silent.CopyTo(arguments, 3);
        try
        {
            var reply = await _redis.GetDatabase().ScriptEvaluateAsync(Change,
                [string.Create(CultureInfo.InvariantCulture, $"{_keyPrefix}:presence:{userId:N}")], arguments).ConfigureAwait(false);
            return (long)reply;
        }
        catch (Exception exception) when (RedisMultiplexer.IsFailure(exception))
        {
            LogFallback(_logger, exception);
            return null;
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType != ConnectionType.Interactive || _unsentRemovals.IsEmpty)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            for (var pending = _unsentRemovals.Count; pending > 0 && _unsentRemovals.TryDequeue(out var removal); pending--)
            {
                if (await CountAsync(removal.UserId, removal.ConnectionId, "remove").ConfigureAwait(false) is null)
                {
                    _unsentRemovals.Enqueue(removal);
                }
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis unavailable for presence; counting this instance only")]
    private static partial void LogFallback(ILogger logger, Exception exception);
}
