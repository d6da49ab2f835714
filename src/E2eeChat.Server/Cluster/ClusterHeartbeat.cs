using E2eeChat.Redis;
using E2eeChat.Scaleout;

namespace E2eeChat.Server.Cluster;

/// <summary>Keeps this instance's liveness key in Redis fresh; when it lapses, peers forget its connections.</summary>
internal sealed partial class ClusterHeartbeat(
    RedisBackplane backplane,
    InstanceIdentity instance,
    ClusterOptions options,
    TimeProvider clock,
    ILogger<ClusterHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var key = $"{options.KeyPrefix}:instance:{instance.Id}";
        using var timer = new PeriodicTimer(options.InstanceTimeout / 3, clock);
        do
        {
            if (backplane.Connection is { IsConnected: true } connection)
            {
                try
                {
                    await connection.SetAsync(key, instance.Name, options.InstanceTimeout, cancellationToken: stoppingToken)
                        .ConfigureAwait(false);
                }
                catch (RedisException exception)
                {
                    LogMissed(logger, exception);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Instance heartbeat missed")]
    private static partial void LogMissed(ILogger logger, Exception exception);
}
