using System.Globalization;
using E2eeChat.Domain.Sessions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace E2eeChat.Server.Auth;

/// <summary>Signs the short-lived JWT that carries user, device and session ids.</summary>
public sealed class AccessTokenIssuer(SigningKey signingKey, AuthOptions options, TimeProvider clock)
{
    public const string Audience = "e2eechat-api";
    private readonly JsonWebTokenHandler _handler = new();

    public TokenResponse Issue(SessionGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var now = clock.GetUtcNow().UtcDateTime;
        var session = grant.Session;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + options.AccessTokenLifetime,
            Claims = new Dictionary<string, object>
            {
                [Caller.UserClaim] = session.UserId.ToString(),
                [Caller.DeviceClaim] = session.DeviceId.ToString(CultureInfo.InvariantCulture),
                [Caller.SessionClaim] = session.SessionId.ToString(),
            },
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.HmacSha256),
        });
        return new TokenResponse(session.UserId, session.DeviceId, token, grant.RefreshToken,
            (int)options.AccessTokenLifetime.TotalSeconds);
    }
}
