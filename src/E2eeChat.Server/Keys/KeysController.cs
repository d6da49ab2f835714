using System.Globalization;
using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Keys;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Limits;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace E2eeChat.Server.Keys;

[ApiController]
[Authorize]
[Route("api/v1/keys")]
public sealed class KeysController(PrekeyDirectory directory, AccountService accounts, IRequestRateLimiter limiter)
    : ControllerBase
{
    /// <summary>
    /// Uploads the caller device's prekeys in one transaction; each kind named replaces that kind. Every signed
    /// key must carry the account identity key's XEdDSA signature (422 <c>invalid_signature</c> otherwise).
    /// </summary>
    [HttpPut]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IActionResult> Upload(UploadPrekeysRequest request, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForDeviceAsync(RateLimitBucket.KeyUploadsPerDevice, caller, cancellationToken);
        await directory.UploadAsync(caller.UserId, caller.DeviceId, request.ToDomain(), cancellationToken);
        return NoContent();
    }

    /// <summary>
    /// 204 when the server holds the identity key, signed prekey and last-resort Kyber prekey the digest was made
    /// of (Signal-Server's <c>/v2/keys/check</c>); 409 <c>keys_mismatch</c> otherwise: the client uploads them again.
    /// </summary>
    [HttpPost("check")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType(StatusCodes.Status409Conflict)]
    public async Task<IActionResult> Check(CheckKeysRequest request, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.ReadsPerAccount, caller, cancellationToken);
        await directory.CheckAsync(caller.UserId, caller.DeviceId, request.Digest, cancellationToken);
        return NoContent();
    }

    /// <summary>One-time prekeys the caller's device has left: EC (<c>count</c>) and Kyber (<c>pqCount</c>).</summary>
    [HttpGet("count")]
    public async Task<PrekeyCounts> Count(CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.ReadsPerAccount, caller, cancellationToken);
        return await directory.CountAsync(caller.UserId, caller.DeviceId, cancellationToken);
    }

    /// <summary>
    /// Claims the prekey bundle of one device (<c>1</c>, <c>2</c>, …) or of every device (<c>*</c>) of a user,
    /// using up one one-time key of each kind per device.
    /// </summary>
    [HttpGet("{userIdOrUsername}/{deviceId}")]
    public async Task<PrekeyBundleResponse> Fetch(string userIdOrUsername, string deviceId, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        var device = PrekeyRules.ParseDeviceSelector(deviceId);
        if (!Guid.TryParse(userIdOrUsername, out _))
        {
            // A username resolves an account as GET /users/{username} does: the same enumeration budget.
            await limiter.AcquireForAccountAsync(RateLimitBucket.UserLookupsPerAccount, caller, cancellationToken);
        }
        var account = await accounts.GetAsync(userIdOrUsername, cancellationToken);
        // Per requesting device and target device, as Signal does: every fetch drains the target's one-time keys.
        var pair = string.Create(CultureInfo.InvariantCulture,
            $"{CallerRateLimits.DeviceKey(caller.UserId, caller.DeviceId)}>{account.UserId}.{(device is { } id ? id.ToString(CultureInfo.InvariantCulture) : "*")}");
        await limiter.AcquireAsync(RateLimitBucket.PrekeyFetchPerDevicePair, pair, cancellationToken);
        return PrekeyBundleResponse.From(await directory.ClaimAsync(account, device, cancellationToken));
    }
}
