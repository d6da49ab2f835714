using System.Globalization;
using System.Security.Claims;

namespace E2eeChat.Server.Auth;

/// <summary>
/// The principal of a validated access token, reduced to the caller it names: its three claims, the parsed
/// <see cref="Auth.Caller"/>, and nothing of the token. A hub connection keeps its principal for as long as it lives, and
/// the principal the token handler builds holds the token, its decoded payload and every registered claim twice.
/// </summary>
internal sealed class CallerPrincipal : ClaimsPrincipal
{
    private CallerPrincipal(Caller caller, string authenticationType)
        : base(new ClaimsIdentity(
            [
                new Claim(Caller.UserClaim, caller.UserId.ToString()),
                new Claim(Caller.DeviceClaim, caller.DeviceId.ToString(CultureInfo.InvariantCulture)),
                new Claim(Caller.SessionClaim, caller.SessionId.ToString()),
            ],
            authenticationType, Caller.UserClaim, ClaimTypes.Role))
    {
        Caller = caller;
    }

    public Caller Caller { get; }

    public static CallerPrincipal For(Caller caller, string authenticationType) => new(caller, authenticationType);
}
