using StackExchange.Redis;

namespace E2eeChat.Server.Cluster;

/// <summary>
/// Keeps this instance's entry in the cluster's member list fresh, and learns which instances fell silent for longer
/// than <see cref="ClusterOptions.InstanceTimeout"/>: they crashed, so presence stops counting their connections. The
/// list is one sorted set scored with Redis's own clock, so instances need not agree on the time.
/// </summary>
internal sealed partial class ClusterHeartbeat(
    IConnectionMultiplexer redis,
    InstanceIdentity instance,
    ClusterOptions options,
    TimeProvider clock,
    ILogger<ClusterHeartbeat> logger) : BackgroundService
{
    /// <summary>How long a silent instance is remembered: as long as presence keeps a user's connections.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromDays(1);

    // One key: KEYS[1] the member list; ARGV: this instance, the timeout and the memory in ms. Returns the silent ones.
    private const string Beat = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('ZADD', KEYS[1], now, ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
        return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
        """;

    private RedisValue[] _silent = [];

    /// <summary>Instances that stopped beating (as of this instance's last beat); never this one.</summary>
    public RedisValue[] SilentInstances => Volatile.Read(ref _silent);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        RedisKey[] keys = [$"{options.KeyPrefix}:instances"];
        RedisValue[] arguments = [instance.Id, (long)options.InstanceTimeout.TotalMilliseconds, (long)Memory.TotalMilliseconds];
        using var timer = new PeriodicTimer(options.InstanceTimeout / 3, clock);
        do
        {
            if (!redis.Answers())
            {
                continue;
            }
            try
            {
                var silent = (RedisValue[]?)await redis.GetDatabase().ScriptEvaluateAsync(Beat, keys, arguments).ConfigureAwait(false);
                Volatile.Write(ref _silent, silent ?? []);
            }
            catch (Exception exception) when (RedisMultiplexer.IsFailure(exception))
            {
                LogMissed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Instance heartbeat missed")]
    private static partial void LogMissed(ILogger logger, Exception exception);
}
