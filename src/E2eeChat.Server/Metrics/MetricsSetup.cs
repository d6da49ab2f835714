using E2eeChat.Server.Delivery;
using E2eeChat.Server.Hosting;
using Npgsql;
using OpenTelemetry.Metrics;

namespace E2eeChat.Server.Metrics;

/// <summary>
/// OpenTelemetry metrics exported as Prometheus text: the meters ASP.NET Core, Kestrel, SignalR, the runtime and
/// Npgsql already emit, and <see cref="E2eeChatMetrics"/>.
/// </summary>
internal static class MetricsSetup
{
    /// <summary>The framework's own meters (no instrumentation package needed since .NET 8/9).</summary>
    private static readonly string[] FrameworkMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "System.Runtime",
    ];

    public static IServiceCollection AddE2eeChatMetrics(this IServiceCollection services, MetricsOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<E2eeChatMetrics>();
        if (options.Enabled)
        {
            services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(E2eeChatMetrics.MeterName)
                .AddMeter(FrameworkMeters)
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter());
        }
        return services;
    }

    /// <summary>With <see cref="MetricsOptions.Port"/> set, the server also listens there (beside --urls or ASPNETCORE_URLS).</summary>
    public static void AddMetricsListener(this WebApplicationBuilder builder, string defaultUrl)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = Bind(builder.Configuration);
        if (!options.Enabled || options.Port is not { } port)
        {
            return;
        }
        var metricsUrl = $"http://{options.Host}:{port}";
        if (builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            builder.Configuration["Kestrel:Endpoints:Metrics:Url"] = metricsUrl;
            return;
        }
        var urls = builder.Configuration["urls"];
        builder.WebHost.UseUrls($"{(string.IsNullOrEmpty(urls) ? defaultUrl : urls)};{metricsUrl}");
    }

    public static MetricsOptions Bind(IConfiguration configuration) =>
        configuration.BindOptions<MetricsOptions>(MetricsOptions.SectionName);

    /// <summary>First in the pipeline: a scrape costs no routing, authentication or rate limit.</summary>
    public static void UseE2eeChatMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<MetricsOptions>();
        app.Services.GetRequiredService<E2eeChatMetrics>().Observe(app.Services.GetRequiredService<DeviceConnections>());
        if (!options.Enabled)
        {
            return;
        }
        var port = options.Port;
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == options.Path && (port is null || context.Connection.LocalPort == port));
    }
}
