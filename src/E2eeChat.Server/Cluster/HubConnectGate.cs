using E2eeChat.Domain.Errors;
using E2eeChat.Server.Errors;
using StackExchange.Redis;

namespace E2eeChat.Server.Cluster;

/// <summary>
/// Refuses new hub connections with 503 <c>hub_unavailable</c> while Redis does not answer. SignalR's Redis scale-out
/// subscribes each connection to its channels as it connects; without Redis that fails after the handshake, so the
/// client would see a connection open and drop. Refused up front, it retries; REST keeps working meanwhile.
/// </summary>
internal sealed class HubConnectGate(RequestDelegate next, IConnectionMultiplexer redis)
{
    private const int RetryAfterSeconds = 2;

    public async Task InvokeAsync(HttpContext context)
    {
        if (redis.Answers())
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        var problem = ProblemResponses.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.HubUnavailable,
            "Live connections wait until this instance reaches Redis again; sends and the mailbox work over REST meanwhile.");
        problem.Extensions[ProblemResponses.RetryAfterExtension] = RetryAfterSeconds;
        await ProblemResponses.WriteAsync(context, problem).ConfigureAwait(false);
    }
}
