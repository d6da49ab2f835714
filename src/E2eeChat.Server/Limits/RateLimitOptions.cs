namespace E2eeChat.Server.Limits;

/// <summary>One named bucket: at most <see cref="PermitLimit"/> requests per <see cref="Window"/> per key.</summary>
public sealed class RateLimitRule
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Bound from the <c>RateLimits</c> section; every limiter is configured here and only here.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    public RateLimitRule SignupPerIp { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromHours(1) };

    public RateLimitRule TokenPerIp { get; set; } = new() { PermitLimit = 60, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Password attempts (sign-in, or linking a device by password) at one username from one address.</summary>
    public RateLimitRule TokenPerUsernameAndIp { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// Password attempts at one username from everywhere: the ceiling on guessing. Well above the per-address
    /// rule, so that failures from one address cannot lock the owner out at another.
    /// </summary>
    public RateLimitRule TokenPerUsername { get; set; } = new() { PermitLimit = 50, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Refreshes from one address, valid or not: anyone may call refresh, so guessing is bounded here.</summary>
    public RateLimitRule RefreshPerIp { get; set; } = new() { PermitLimit = 60, Window = TimeSpan.FromMinutes(1) };

    public RateLimitRule LinkPerIp { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };

    public RateLimitRule LinkPerAccount { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Bundle fetches by one device of one target device (or of <c>*</c>); each fetch uses up one-time keys.</summary>
    public RateLimitRule PrekeyFetchPerDevicePair { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) };

    public RateLimitRule RuleFor(RateLimitBucket bucket) => bucket switch
    {
        RateLimitBucket.SignupPerIp => SignupPerIp,
        RateLimitBucket.TokenPerIp => TokenPerIp,
        RateLimitBucket.TokenPerUsernameAndIp => TokenPerUsernameAndIp,
        RateLimitBucket.TokenPerUsername => TokenPerUsername,
        RateLimitBucket.RefreshPerIp => RefreshPerIp,
        RateLimitBucket.LinkPerIp => LinkPerIp,
        RateLimitBucket.LinkPerAccount => LinkPerAccount,
        RateLimitBucket.PrekeyFetchPerDevicePair => PrekeyFetchPerDevicePair,
        _ => throw new ArgumentOutOfRangeException(nameof(bucket)),
    };
}
