using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Logging;

/// <summary>
/// Hub calls log inside a <c>HubConnectionId</c> scope. SignalR's own connection scope fills its id in after it
/// begins, and the redacting logger keeps a scope's values as they were at the first entry written in it, which may
/// be earlier; this one is whole from the start.
/// </summary>
internal sealed class HubConnectionLogScope(ILogger<HubConnectionLogScope> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext,
        Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        using (Begin(invocationContext.Context))
        {
            return await next(invocationContext).ConfigureAwait(false);
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        using (Begin(context.Context))
        {
            await next(context).ConfigureAwait(false);
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        using (Begin(context.Context))
        {
            await next(context, exception).ConfigureAwait(false);
        }
    }

    private IDisposable? Begin(HubCallerContext context) =>
        logger.BeginScope(new KeyValuePair<string, object?>[] { new("HubConnectionId", context.ConnectionId) });
}
