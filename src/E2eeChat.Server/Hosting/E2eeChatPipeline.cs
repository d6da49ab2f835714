using E2eeChat.Domain.Messages;
using E2eeChat.Server.Attachments;
using E2eeChat.Server.Certificates;
using E2eeChat.Server.Cluster;
using E2eeChat.Server.Health;
using E2eeChat.Server.Hub;
using E2eeChat.Server.Limits;
using E2eeChat.Server.Logging;
using E2eeChat.Server.Metrics;
using E2eeChat.Server.Shutdown;
using E2eeChat.Storage;
using Scalar.AspNetCore;

namespace E2eeChat.Server.Hosting;

public static class E2eeChatPipeline
{
    public static void UseE2eeChat(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseE2eeChatMetrics();
        InstanceLogScope.UseInstanceLogScope(app);
        app.UseDrainGate();
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHubConnectGate();
        app.UseTusProtocol($"/{AttachmentsController.Path}");
        // Explicit, so that routing sees the method after X-HTTP-Method-Override (tus) was applied.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseHubConnectRateLimit();
        app.MapControllers();
        var slowConsumerTimeout = app.Services.GetRequiredService<MessagingOptions>().SlowConsumerTimeout;
        app.MapHub<ChatHub>(ChatHub.Path, options =>
        {
            // A connection ends when its access token expires; clients reconnect with a refreshed one.
            options.CloseOnAuthenticationExpiration = true;
            // What SignalR buffers per connection beyond the pump's byte budget: a send waits once this much is
            // unsent (a client that stops reading), and reading pauses once this much came in unprocessed.
            options.TransportMaxBufferSize = ChatHub.TransportBufferBytes;
            options.ApplicationMaxBufferSize = ChatHub.TransportBufferBytes;
            options.TransportSendTimeout = slowConsumerTimeout + ChatHub.TransportSendGrace;
        });
        app.MapHealthEndpoints();
        if (app.Services.GetRequiredService<ApiDocsOptions>().IsEnabled(app.Environment, app.Services.GetRequiredService<StorageOptions>()))
        {
            // One document at a fixed path: any other name is an unknown route, a ProblemDetails 404 like the rest.
            app.MapOpenApi("/openapi/v1.json");
            // The interactive reference; Scalar's script is served from the package, not fetched from elsewhere.
            app.MapScalarApiReference("/docs", options => options
                .WithOpenApiRoutePattern("/openapi/v1.json")
                .WithTitle("E2eeChat API")
                // Its fonts would come from the vendor's site: the page loads nothing from elsewhere.
                .DisableDefaultFonts());
        }
        app.Services.GetRequiredService<SenderCertificates>()
            .LogTrustRoot(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<SenderCertificates>());
    }

    /// <summary>Creates or upgrades the schema before the first request is served.</summary>
    public static async Task MigrateStorageAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.Services.GetRequiredService<SqlStorage>().MigrateAsync(app.Lifetime.ApplicationStopping).ConfigureAwait(false);
    }
}
