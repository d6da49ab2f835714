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

    public RateLimitRule TokenPerUsername { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    public RateLimitRule LinkPerIp { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };

    public RateLimitRule LinkPerAccount { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Bundle fetches by one device of one target device (or of <c>*</c>); each fetch uses up one-time keys.</summary>
    public RateLimitRule PrekeyFetchPerDevicePair { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Attachment uploads (tus creations) by one account.</summary>
    public RateLimitRule AttachmentUploadsPerAccount { get; set; } = new() { PermitLimit = 100, Window = TimeSpan.FromHours(1) };

    /// <summary>Attachment PATCH, HEAD and downloads by one account.</summary>
    public RateLimitRule AttachmentRequestsPerAccount { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>TURN credentials fetched by one account.</summary>
    public RateLimitRule CallingRelaysPerAccount { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };

    public RateLimitRule RuleFor(RateLimitBucket bucket) => bucket switch
    {
        RateLimitBucket.SignupPerIp => SignupPerIp,
        RateLimitBucket.TokenPerIp => TokenPerIp,
        RateLimitBucket.TokenPerUsername => TokenPerUsername,
        RateLimitBucket.LinkPerIp => LinkPerIp,
        RateLimitBucket.LinkPerAccount => LinkPerAccount,
        RateLimitBucket.PrekeyFetchPerDevicePair => PrekeyFetchPerDevicePair,
        RateLimitBucket.AttachmentUploadsPerAccount => AttachmentUploadsPerAccount,
        RateLimitBucket.AttachmentRequestsPerAccount => AttachmentRequestsPerAccount,
        RateLimitBucket.CallingRelaysPerAccount => CallingRelaysPerAccount,
        _ => throw new ArgumentOutOfRangeException(nameof(bucket)),
    };
}
