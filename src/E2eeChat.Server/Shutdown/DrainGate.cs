using E2eeChat.Domain.Errors;
using E2eeChat.Server.Errors;
using E2eeChat.Server.Hub;

namespace E2eeChat.Server.Shutdown;

/// <summary>
/// Counts the requests in flight, and once the drain refuses new ones answers them 503 <c>instance_draining</c>, which
/// nginx retries on another instance (proxy_params.conf). Hub connections are long-lived and are closed by the drain
/// instead of counted; a new one is refused like any request. Health answers throughout, so readiness can say 503.
/// </summary>
internal sealed class DrainGate(RequestDelegate next, DrainState state)
{
    private const int RetryAfterSeconds = 1;

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/health"))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        if (state.RefusesRequests)
        {
            var problem = ProblemResponses.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.InstanceDraining,
                "This instance is shutting down; retry, another instance answers.");
            problem.Extensions[ProblemResponses.RetryAfterExtension] = RetryAfterSeconds;
            context.Response.Headers.Connection = "close";
            await ProblemResponses.WriteAsync(context, problem).ConfigureAwait(false);
            return;
        }
        if (path.StartsWithSegments(ChatHub.Path))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        state.RequestStarted();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            state.RequestEnded();
        }
    }
}
