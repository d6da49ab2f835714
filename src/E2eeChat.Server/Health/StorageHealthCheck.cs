using E2eeChat.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace E2eeChat.Server.Health;

internal sealed class StorageHealthCheck(SqlStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await storage.PingAsync(cancellationToken).ConfigureAwait(false)
            ? HealthCheckResult.Healthy($"{storage.ProviderName} answers")
            : HealthCheckResult.Unhealthy($"{storage.ProviderName} does not answer");
}
