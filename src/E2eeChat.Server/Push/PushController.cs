using E2eeChat.Domain.Errors;
using E2eeChat.Domain.Push;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Limits;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace E2eeChat.Server.Push;

/// <summary>How the caller's device is woken when it has mail and no live connection: one registration per device.</summary>
[ApiController]
[Authorize]
public sealed class PushController(
    IPushRegistrationStore registrations,
    PushOptions options,
    VapidKeys vapid,
    IRequestRateLimiter limiter,
    TimeProvider clock) : ControllerBase
{
    private const string DevicePath = "api/v1/devices/me/push";

    /// <summary>Registers a Web Push subscription or a push gateway for the caller's device, replacing any earlier one.</summary>
    [HttpPut(DevicePath)]
    public async Task<IActionResult> Register(PushRegistrationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = User.Caller();
        await limiter.AcquireAsync(RateLimitBucket.PushRegistrationsPerAccount, caller.UserId.ToString(), cancellationToken);
        var registration = (request.WebPush, request.Gateway) switch
        {
            ({ } webPush, null) => PushRegistrationRules.WebPush(caller.UserId, caller.DeviceId, webPush.Endpoint,
                webPush.Keys?.P256dh, webPush.Keys?.Auth, options.AllowInsecureEndpoints),
            (null, { } gateway) => PushRegistrationRules.Gateway(caller.UserId, caller.DeviceId, gateway.Url, gateway.AppId,
                gateway.PushKey, options.AllowInsecureEndpoints),
            _ => throw PushRegistrationRules.Invalid("Give exactly one of webPush and gateway."),
        };
        await registrations.SetAsync(registration, clock.GetUtcNow(), cancellationToken);
        return NoContent();
    }

    [HttpGet(DevicePath)]
    public async Task<PushRegistrationResponse> Current(CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        var registration = await registrations.FindAsync(caller.UserId, caller.DeviceId, cancellationToken)
            ?? throw DomainException.NotFound(ErrorCodes.PushNotRegistered, "This device has no push registration.");
        return PushRegistrationResponse.From(registration);
    }

    /// <summary>Stops wake-ups for the caller's device; 204 whether or not it had a registration.</summary>
    [HttpDelete(DevicePath)]
    public async Task<IActionResult> Unregister(CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireAsync(RateLimitBucket.PushRegistrationsPerAccount, caller.UserId.ToString(), cancellationToken);
        await registrations.RemoveAsync(caller.UserId, caller.DeviceId, cancellationToken);
        return NoContent();
    }

    /// <summary>The server's VAPID public key, base64url: the <c>applicationServerKey</c> a browser subscribes with.</summary>
    [HttpGet("api/v1/push/vapid")]
    public VapidKeyResponse Vapid() => new(vapid.PublicKey);
}
