using System.Net;
using StackExchange.Redis;

namespace E2eeChat.Server.Cluster;

/// <summary>
/// This instance's one <see cref="IConnectionMultiplexer"/>, shared by the hub's scale-out, the device bus, presence,
/// rate limits, the heartbeat and readiness; and the one answer to "does Redis answer?".
/// </summary>
internal static partial class RedisMultiplexer
{
    /// <summary>Connects without waiting for Redis to answer: while it cannot be reached, the multiplexer keeps trying.</summary>
    public static IConnectionMultiplexer Connect(ConfigurationOptions options, ILogger logger)
    {
        var multiplexer = ConnectionMultiplexer.Connect(options);
        // The SignalR manager logs its subscription link; this logs the command link.
        multiplexer.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                LogLost(logger, e.Exception, e.EndPoint, e.FailureType);
            }
        };
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                LogRestored(logger, e.EndPoint);
            }
        };
        return multiplexer;
    }

    /// <summary>The primaries this instance cannot reach now; none when Redis (every node of a Redis Cluster) answers.</summary>
    public static IReadOnlyList<EndPoint> UnreachablePrimaries(this IConnectionMultiplexer redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        List<EndPoint>? unreachable = null;
        foreach (var server in redis.GetServers())
        {
            if (!server.IsReplica && !server.IsConnected)
            {
                (unreachable ??= []).Add(server.EndPoint);
            }
        }
        return unreachable ?? [];
    }

    public static bool Answers(this IConnectionMultiplexer redis) => redis.UnreachablePrimaries().Count == 0;

    /// <summary>What a failed call may throw: a refused or lost connection, or no answer in time.</summary>
    public static bool IsFailure(Exception exception) => exception is RedisException or RedisTimeoutException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {EndPoint} lost ({FailureType}); sends still commit, cross-instance delivery waits")]
    private static partial void LogLost(ILogger logger, Exception? exception, EndPoint? endPoint, ConnectionFailureType failureType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis at {EndPoint} answers again")]
    private static partial void LogRestored(ILogger logger, EndPoint? endPoint);
}
