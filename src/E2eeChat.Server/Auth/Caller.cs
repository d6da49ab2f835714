using System.Security.Claims;

namespace E2eeChat.Server.Auth;

/// <summary>Who is asking: the account, the device and the session behind an access token.</summary>
public sealed record Caller(Guid UserId, int DeviceId, Guid SessionId)
{
    public const string UserClaim = "sub";
    public const string DeviceClaim = "did";
    public const string SessionClaim = "sid";

    public static Caller? From(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal is CallerPrincipal known)
        {
            return known.Caller;
        }
        return Guid.TryParse(principal.FindFirstValue(UserClaim), out var user)
               && int.TryParse(principal.FindFirstValue(DeviceClaim), System.Globalization.CultureInfo.InvariantCulture, out var device)
               && Guid.TryParse(principal.FindFirstValue(SessionClaim), out var session)
            ? new Caller(user, device, session)
            : null;
    }
}

public static class CallerExtensions
{
    /// <summary>The authenticated caller; endpoints that call this carry [Authorize].</summary>
    public static Caller Caller(this ClaimsPrincipal principal) =>
        Auth.Caller.From(principal) ?? throw new InvalidOperationException("The endpoint is missing [Authorize].");
}
