using E2eeChat.Domain.Errors;
using E2eeChat.Domain.Sessions;
using E2eeChat.Server.Errors;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace E2eeChat.Server.Auth;

/// <summary>
/// Bearer authentication. Besides the signature and lifetime, every request checks that the
/// token's session is still live, so logout and device removal take effect on the next request.
/// </summary>
internal static class JwtSetup
{
    public const string HubPathPrefix = "/hubs";

    public static IServiceCollection AddAccessTokenAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKey, AuthOptions>((options, key, auth) =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Issuer,
                    ValidAudience = AccessTokenIssuer.Audience,
                    IssuerSigningKey = key.Key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = Caller.UserClaim,
                };
                options.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        // Browsers cannot set headers on WebSockets: the hub takes the token from the query.
                        var token = context.Request.Query["access_token"];
                        if (!string.IsNullOrEmpty(token) && context.HttpContext.Request.Path.StartsWithSegments(HubPathPrefix))
                        {
                            context.Token = token;
                        }
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = async context =>
                    {
                        var caller = Caller.From(context.Principal!);
                        var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionService>();
                        if (caller is null || !await sessions.IsActiveAsync(caller.SessionId, context.HttpContext.RequestAborted).ConfigureAwait(false))
                        {
                            context.Fail("The session has ended.");
                            return;
                        }
                        // What the request (or the hub connection, for its whole life) keeps: the caller, not the token.
                        context.Principal = CallerPrincipal.For(caller, context.Scheme.Name);
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        var detail = context.AuthenticateFailure is null
                            ? "An access token is required: send Authorization: Bearer <accessToken>."
                            : "The access token is invalid, expired or its session has ended.";
                        await ProblemResponses.WriteAsync(context.HttpContext,
                            ProblemResponses.Create(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, detail)).ConfigureAwait(false);
                    },
                };
            });
        return services;
    }
}
