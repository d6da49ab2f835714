using E2eeChat.Domain.Errors;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Limits;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace E2eeChat.Server.Calling;

/// <summary>
/// Calls: signalling (offer, answer, ICE candidates) travels end to end encrypted in ordinary envelopes; the server
/// only hands out credentials for the TURN relays.
/// </summary>
[ApiController]
[Authorize]
[Route("api/v1/calling")]
public sealed class CallingController(CallingOptions options, IRequestRateLimiter limiter, TimeProvider clock) : ControllerBase
{
    /// <summary>Short-lived TURN credentials for the caller's account.</summary>
    [HttpGet("relays")]
    public async Task<TurnCredentials> Relays(CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.CallingRelaysPerAccount, caller, cancellationToken);
        if (!options.IsConfigured)
        {
            throw new DomainException(ErrorKind.ServiceUnavailable, ErrorCodes.TurnNotConfigured,
                "This server has no TURN relay configured (Calling:TurnSecret and Calling:TurnUrls); calls can use direct paths only.");
        }
        return TurnCredentials.Issue(options, caller.UserId, clock.GetUtcNow());
    }
}
