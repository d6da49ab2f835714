using System.Security.Claims;
using E2eeChat.Server.Auth;
using Xunit;

namespace E2eeChat.Server.Tests.Auth;

/// <summary>The principal a validated token leaves behind names its caller, authenticated, with its three claims and no more.</summary>
public sealed class CallerPrincipalTests
{
    private static readonly Caller Someone = new(Guid.NewGuid(), 7, Guid.NewGuid());

    [Fact]
    public void Names_its_caller_without_parsing_and_is_authenticated_under_the_scheme()
    {
        var principal = CallerPrincipal.For(Someone, "Bearer");

        Assert.Same(Someone, Caller.From(principal));
        Assert.True(principal.Identity!.IsAuthenticated);
        Assert.Equal("Bearer", principal.Identity.AuthenticationType);
        Assert.Equal(Someone.UserId.ToString(), principal.Identity.Name);
    }

    [Fact]
    public void Holds_the_user_device_and_session_claims_only()
    {
        var principal = CallerPrincipal.For(Someone, "Bearer");

        Assert.Equal(
            [(Caller.UserClaim, Someone.UserId.ToString()), (Caller.DeviceClaim, "7"), (Caller.SessionClaim, Someone.SessionId.ToString())],
            principal.Claims.Select(c => (c.Type, c.Value)));
        // Any principal with those claims reads the same: the reduction changes nothing a reader sees.
        var rebuilt = new ClaimsPrincipal(new ClaimsIdentity(principal.Claims.Select(c => new Claim(c.Type, c.Value)), "Bearer"));
        Assert.Equal(Someone, Caller.From(rebuilt));
    }
}
