using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Devices;
using E2eeChat.Domain.Sessions;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Limits;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace E2eeChat.Server.Devices;

[ApiController]
[Route("api/v1/devices")]
public sealed class DevicesController(
    DeviceService devices,
    SessionService sessions,
    AccessTokenIssuer tokens,
    IRequestRateLimiter limiter) : ControllerBase
{
    [Authorize]
    [HttpGet]
    public async Task<IEnumerable<DeviceResponse>> List(CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.ReadsPerAccount, caller, cancellationToken);
        var list = await devices.ListAsync(caller.UserId, cancellationToken);
        return list.Select(DeviceResponse.From);
    }

    /// <summary>Creates a single-use code, valid for 10 minutes, that lets a new device join this account; primary only.</summary>
    [Authorize]
    [HttpPost("link-codes")]
    [ProducesResponseType<LinkCodeResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> CreateLinkCode(CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.LinkPerAccount, caller, cancellationToken);
        var code = await devices.CreateLinkCodeAsync(caller.UserId, caller.DeviceId, cancellationToken);
        return StatusCode(StatusCodes.Status201Created, new LinkCodeResponse(code.Code, code.ExpiresAt));
    }

    /// <summary>Adds a device to an account, by link code or by username and password, and signs it in.</summary>
    [HttpPost]
    [ProducesResponseType<TokenResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Link(LinkDeviceRequest request, CancellationToken cancellationToken)
    {
        var address = ClientAddress.Of(HttpContext);
        await limiter.AcquireAsync(RateLimitBucket.LinkPerIp, address, cancellationToken);
        if (request.LinkCode is null && Username.TryNormalize(request.Username, out var username))
        {
            await limiter.AcquirePasswordAttemptAsync(username, address, cancellationToken);
        }
        var device = await devices.LinkAsync(
            new LinkDevice(request.LinkCode, request.Username, request.Password, request.Name, request.RegistrationId),
            cancellationToken);
        var grant = await sessions.StartAsync(device.UserId, device.DeviceId, cancellationToken);
        return StatusCode(StatusCodes.Status201Created, tokens.Issue(grant));
    }

    /// <summary>Removes a device with its keys and mailbox, and closes its sessions and live connections.</summary>
    [Authorize]
    [HttpDelete("{deviceId:int}")]
    public async Task<IActionResult> Remove(int deviceId, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.DeviceRemovalsPerAccount, caller, cancellationToken);
        await devices.RemoveAsync(caller.UserId, caller.DeviceId, deviceId, cancellationToken);
        return NoContent();
    }
}
