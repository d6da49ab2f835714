using E2eeChat.Scaleout;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace E2eeChat.Server.Cluster;

/// <summary>Ready only while Redis answers: without it, this instance cannot reach devices on the others.</summary>
internal sealed class RedisHealthCheck(RedisBackplane backplane) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(backplane.IsConnected
            ? HealthCheckResult.Healthy("redis answers")
            : HealthCheckResult.Unhealthy("redis does not answer; sends still commit, cross-instance delivery waits"));
}
