using System.Text.Json;
using E2eeChat.Server.Cluster;
using E2eeChat.Server.Delivery;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace E2eeChat.Server.Health;

/// <summary>
/// /health/live: the process runs. /health/ready: every engine it needs answers. Both are public; what they
/// tell beyond the status (instance, connections, checks) is configuration (<see cref="HealthOptions"/>).
/// </summary>
internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddReadinessChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag]);
        return services;
    }

    public static void MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteAsync,
        });
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var services = context.RequestServices;
        var status = report.Status.ToString().ToLowerInvariant();
        if (!services.GetRequiredService<HealthOptions>().ShowsDetails(services.GetRequiredService<IHostEnvironment>()))
        {
            return context.Response.WriteAsync(JsonSerializer.Serialize(new { status }));
        }
        var body = new
        {
            status,
            // Which instance answered and how many devices it holds: operators (and tests) see the spread.
            instance = services.GetRequiredService<InstanceIdentity>().Name,
            connections = services.GetRequiredService<DeviceConnections>().Count,
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString().ToLowerInvariant(), detail = entry.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
