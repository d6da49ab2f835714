namespace E2eeChat.Server.Auth;

/// <summary>Bound from the <c>Auth</c> section.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// Base64 of at least 32 random bytes, the same on every instance. Optional in the
    /// embedded default (a key is generated into ./data); required in cluster mode.
    /// </summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "e2eechat";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
}
