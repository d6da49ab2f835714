using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Devices;
using E2eeChat.Domain.Errors;
using E2eeChat.Domain.Sessions;
using E2eeChat.Server.Limits;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace E2eeChat.Server.Auth;

[ApiController]
[Route("api/v1/auth")]
public sealed class AuthController(
    AccountService accounts,
    IDeviceStore devices,
    SessionService sessions,
    AccessTokenIssuer tokens,
    IRequestRateLimiter limiter) : ControllerBase
{
    /// <summary>Signs a device in with the account's username and password.</summary>
    [HttpPost("token")]
    public async Task<TokenResponse> Token(TokenRequest request, CancellationToken cancellationToken)
    {
        var address = ClientAddress.Of(HttpContext);
        await limiter.AcquireAsync(RateLimitBucket.TokenPerIp, address, cancellationToken);
        if (Username.TryNormalize(request.Username, out var username))
        {
            await limiter.AcquirePasswordAttemptAsync(username, address, cancellationToken);
        }
        var account = await accounts.AuthenticateAsync(request.Username, request.Password, cancellationToken);
        var deviceId = request.DeviceId ?? DeviceRules.PrimaryDeviceId;
        _ = await devices.FindAsync(account.UserId, deviceId, cancellationToken)
            ?? throw DomainException.NotFound(ErrorCodes.DeviceNotFound, $"Device {deviceId} does not exist.");
        var grant = await sessions.StartAsync(account.UserId, deviceId, cancellationToken);
        return tokens.Issue(grant);
    }

    /// <summary>Trades a refresh token for a new pair. Each refresh token works once.</summary>
    [HttpPost("refresh")]
    public async Task<TokenResponse> Refresh(RefreshRequest request, CancellationToken cancellationToken)
    {
        await limiter.AcquireAsync(RateLimitBucket.RefreshPerIp, ClientAddress.Of(HttpContext), cancellationToken);
        var grant = await sessions.RefreshAsync(request.RefreshToken, cancellationToken);
        return tokens.Issue(grant);
    }

    /// <summary>Ends this session; its access and refresh tokens stop working at once (so it is not rate limited: it works once).</summary>
    [Authorize]
    [HttpPost("logout")]
    public async Task<IActionResult> Logout(CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await sessions.EndAsync(caller.UserId, caller.DeviceId, caller.SessionId, cancellationToken);
        return NoContent();
    }

    [Authorize]
    [HttpGet("me")]
    public async Task<MeResponse> Me(CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.ReadsPerAccount, caller, cancellationToken);
        var account = await accounts.GetAsync(caller.UserId.ToString(), cancellationToken);
        return new MeResponse(account.UserId, account.Username, caller.DeviceId);
    }
}
