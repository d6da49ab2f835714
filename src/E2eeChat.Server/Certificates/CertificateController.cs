using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Errors;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Limits;
using E2eeChat.Signal.Curve;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace E2eeChat.Server.Certificates;

[ApiController]
[Authorize]
[Route("api/v1/certificate")]
public sealed class CertificateController(SenderCertificates certificates, AccountService accounts, IRequestRateLimiter limiter)
    : ControllerBase
{
    /// <summary>
    /// A sender certificate for the caller's device (its account's UUID, device id and identity key), signed by
    /// this server's certificate and valid for <c>Certificates:SenderCertificateLifetime</c> (a day by default).
    /// </summary>
    [HttpGet("delivery")]
    public async Task<DeliveryCertificateResponse> Delivery(CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.SenderCertificatesPerAccount, caller, cancellationToken);
        var account = await accounts.GetAsync(caller.UserId.ToString(), cancellationToken);
        if (!Curve25519PublicKey.IsWellFormed(account.IdentityKey))
        {
            throw DomainException.Conflict(ErrorCodes.InvalidIdentityKey,
                "The account's identity key is not a Curve25519 public key (0x05 and 32 bytes); libsignal could not use a certificate for it.");
        }
        return new DeliveryCertificateResponse(certificates.Issue(caller.UserId, caller.DeviceId, account.IdentityKey));
    }

    /// <summary>The trust root's public key: what <c>SenderCertificate.validate</c> checks certificates against.</summary>
    [HttpGet("trust-root")]
    public TrustRootResponse TrustRoot() => new(certificates.TrustRoot);
}
