using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace E2eeChat.Server.Cluster;

/// <summary>Ready only while Redis answers: without it, this instance cannot reach devices on the others.</summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unreachable = redis.UnreachablePrimaries();
        return Task.FromResult(unreachable.Count == 0
            ? HealthCheckResult.Healthy("redis answers")
            : HealthCheckResult.Unhealthy(
                $"redis does not answer at {string.Join(", ", unreachable)}; sends still commit, cross-instance delivery waits"));
    }
}
