using E2eeChat.Domain.Common;

namespace E2eeChat.Server.Shutdown;

/// <summary>Bound from the <c>Shutdown</c> section: how an instance leaves the cluster on SIGTERM (<see cref="GracefulDrain"/>).</summary>
public sealed class ShutdownOptions : IValidatedOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// How long readiness answers 503 while requests are still served, before the instance refuses them: a load
    /// balancer that polls /health/ready every N seconds needs N. nginx needs none (it retries a refused request elsewhere).
    /// </summary>
    public TimeSpan ReadinessDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The most the drain waits for in-flight requests after that; the process exits within the sum, plus a moment.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (ReadinessDelay < TimeSpan.Zero || ReadinessDelay > TimeSpan.FromMinutes(5))
        {
            throw new InvalidOperationException($"{SectionName}:ReadinessDelay must be from 0 to 5 minutes, not {ReadinessDelay}.");
        }
        if (DrainTimeout < TimeSpan.FromSeconds(1) || DrainTimeout > TimeSpan.FromMinutes(10))
        {
            throw new InvalidOperationException($"{SectionName}:DrainTimeout must be from 1 second to 10 minutes, not {DrainTimeout}.");
        }
    }
}
