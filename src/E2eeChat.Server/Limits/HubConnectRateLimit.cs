using E2eeChat.Server.Auth;
using E2eeChat.Server.Hub;

namespace E2eeChat.Server.Limits;

/// <summary>
/// One permit of <see cref="RateLimitBucket.HubConnectsPerDevice"/> per new hub connection, taken once its token is checked:
/// at the negotiate request, or at the WebSocket request of a client that skips negotiation. Requests that carry a
/// connection <c>id</c> continue a connection already counted (the negotiated WebSocket, long polling's polls).
/// </summary>
internal sealed class HubConnectRateLimit(RequestDelegate next, IRequestRateLimiter limiter)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (IsNewConnection(context.Request) && Caller.From(context.User) is { } caller)
        {
            await limiter.AcquireForDeviceAsync(RateLimitBucket.HubConnectsPerDevice, caller, context.RequestAborted).ConfigureAwait(false);
        }
        await next(context).ConfigureAwait(false);
    }

    private static bool IsNewConnection(HttpRequest request) =>
        request.Path.StartsWithSegments(ChatHub.Path, StringComparison.OrdinalIgnoreCase, out var rest)
        && (rest.Equals("/negotiate", StringComparison.OrdinalIgnoreCase) || (!rest.HasValue && !request.Query.ContainsKey("id")));
}

internal static class HubConnectRateLimitSetup
{
    /// <summary>After authentication and authorization, so that the permit is the authenticated device's.</summary>
    public static void UseHubConnectRateLimit(this IApplicationBuilder app) => app.UseMiddleware<HubConnectRateLimit>();
}
