using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace E2eeChat.Server.Shutdown;

/// <summary>Not ready once the drain began, so load balancers stop sending before requests are refused.</summary>
internal sealed class DrainHealthCheck(DrainState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.IsDraining
            ? HealthCheckResult.Unhealthy("draining: this instance is shutting down")
            : HealthCheckResult.Healthy("serving"));
}
