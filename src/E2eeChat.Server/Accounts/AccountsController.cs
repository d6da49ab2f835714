using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Sessions;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Limits;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace E2eeChat.Server.Accounts;

[ApiController]
public sealed class AccountsController(
    AccountService accounts,
    SessionService sessions,
    AccessTokenIssuer tokens,
    IRequestRateLimiter limiter) : ControllerBase
{
    /// <summary>Creates an account with its primary device (id 1) and signs that device in.</summary>
    [HttpPost("/api/v1/accounts")]
    [ProducesResponseType<TokenResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create(CreateAccountRequest request, CancellationToken cancellationToken)
    {
        await limiter.AcquireAsync(RateLimitBucket.SignupPerIp, ClientAddress.Of(HttpContext), cancellationToken);
        var (account, device) = await accounts.SignUpAsync(
            new SignUp(request.Username, request.Password, request.IdentityKey, request.RegistrationId, request.DeviceName,
                request.UnidentifiedAccessKey, request.UnrestrictedUnidentifiedAccess),
            cancellationToken);
        var grant = await sessions.StartAsync(account.UserId, device.DeviceId, cancellationToken);
        return Created($"/api/v1/users/{account.Username}", tokens.Issue(grant));
    }

    /// <summary>
    /// Sets the caller's unidentified access key (base64 of 16 bytes, or null for none) and whether any key may deliver
    /// sealed-sender messages to the account (<c>unrestrictedUnidentifiedAccess</c>, default false).
    /// </summary>
    [Authorize]
    [HttpPut("/api/v1/accounts/me/attributes")]
    public async Task<IActionResult> SetAttributes(AccountAttributesRequest request, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.AccountAttributesPerAccount, caller, cancellationToken);
        await accounts.SetUnidentifiedAccessAsync(caller.UserId, request.UnidentifiedAccessKey, request.UnrestrictedUnidentifiedAccess,
            cancellationToken);
        return NoContent();
    }

    /// <summary>Finds an account by username (or user id).</summary>
    [Authorize]
    [HttpGet("/api/v1/users/{username}")]
    public async Task<UserResponse> Get(string username, CancellationToken cancellationToken)
    {
        await limiter.AcquireForAccountAsync(RateLimitBucket.UserLookupsPerAccount, User.Caller(), cancellationToken);
        var account = await accounts.GetAsync(username, cancellationToken);
        return new UserResponse(account.UserId, account.Username);
    }
}
