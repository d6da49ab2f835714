using E2eeChat.Domain.Common;

namespace E2eeChat.Server.Auth;

/// <summary>Bound from the <c>Auth</c> section.</summary>
public sealed class AuthOptions : IValidatedOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// Base64 of at least 32 random bytes, the same on every instance. Optional in the
    /// embedded default (a key is generated into ./data); required in cluster mode.
    /// </summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "e2eechat";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The signing key itself is checked where it is resolved (<c>SigningKey</c>), with the storage mode.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Issuer))
        {
            throw new InvalidOperationException("Auth:Issuer must not be empty.");
        }
        if (AccessTokenLifetime < TimeSpan.FromSeconds(1) || AccessTokenLifetime > TimeSpan.FromDays(1))
        {
            throw new InvalidOperationException($"Auth:AccessTokenLifetime must be from 00:00:01 to 1.00:00:00, not {AccessTokenLifetime:c}.");
        }
    }
}
