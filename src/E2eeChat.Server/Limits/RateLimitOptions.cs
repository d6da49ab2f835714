using E2eeChat.Domain.Common;

namespace E2eeChat.Server.Limits;

/// <summary>
/// One named bucket per key: it holds <see cref="PermitLimit"/> tokens, a request takes one, and it refills at
/// <see cref="PermitLimit"/> per <see cref="Window"/>. The same token bucket in Redis and in process.
/// </summary>
public sealed class RateLimitRule
{
    // A bucket refills in steps no shorter than this, so that no bucket needs a faster timer.
    private static readonly TimeSpan ShortestRefillStep = TimeSpan.FromSeconds(1);

    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many tokens come back at each step, and how often: <see cref="PermitLimit"/> per <see cref="Window"/>.</summary>
    public (int TokensPerStep, TimeSpan Step) Refill
    {
        get
        {
            var perToken = Window / PermitLimit;
            var tokens = perToken >= ShortestRefillStep ? 1 : (int)Math.Min(PermitLimit, Math.Ceiling(ShortestRefillStep / perToken));
            return (tokens, Window * tokens / PermitLimit);
        }
    }
}

/// <summary>Bound from the <c>RateLimits</c> section; every limiter is configured here and only here.</summary>
public sealed class RateLimitOptions : IValidatedOptions
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

    public RateLimitRule DeviceRemovalsPerAccount { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromHours(1) };

    /// <summary>New hub connections of one device (each closes the previous one, touches the device and announces presence).</summary>
    public RateLimitRule HubConnectsPerDevice { get; set; } = new() { PermitLimit = 60, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Usernames and user ids one account resolves (<c>GET /users/{username}</c>, key fetches by username): enumeration.</summary>
    public RateLimitRule UserLookupsPerAccount { get; set; } = new() { PermitLimit = 100, Window = TimeSpan.FromHours(1) };

    /// <summary>Reads of the caller's own state: profile, devices, key counts and checks, mailbox, message status, rooms.</summary>
    public RateLimitRule ReadsPerAccount { get; set; } = new() { PermitLimit = 1200, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Sends by one account, to anyone or any room, REST and hub, stored or <c>online</c>.</summary>
    public RateLimitRule MessagesPerAccount { get; set; } = new() { PermitLimit = 1200, Window = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// Sends by one account to one user or one room. Signal-Server's messages limiter holds 60 and refills one a second;
    /// this one is four times as generous, since a burst in a busy conversation may keep up a message a second for long.
    /// </summary>
    public RateLimitRule MessagesPerPair { get; set; } = new() { PermitLimit = 240, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Sends without authentication (sealed sender, single- or multi-recipient) from one client address.</summary>
    public RateLimitRule UnidentifiedMessagesPerIp { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// Sends without authentication to one user, from anyone: a multi-recipient send takes one from each recipient. With
    /// no sender known, this and the address are all the server can count.
    /// </summary>
    public RateLimitRule UnidentifiedMessagesPerDestination { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Changes of one account's attributes (its unidentified access key).</summary>
    public RateLimitRule AccountAttributesPerAccount { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromHours(1) };

    /// <summary>Ack calls of one device (each up to 1000 ids), REST and hub.</summary>
    public RateLimitRule AcksPerDevice { get; set; } = new() { PermitLimit = 6000, Window = TimeSpan.FromMinutes(1) };

    /// <summary>MarkRead calls of one device; each one writes receipts and tells their senders.</summary>
    public RateLimitRule ReadMarksPerDevice { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Typing events of one device, started and stopped, in any conversation.</summary>
    public RateLimitRule TypingPerDevice { get; set; } = new() { PermitLimit = 300, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Prekey uploads of one device: each verifies up to 101 signatures and replaces up to 200 keys.</summary>
    public RateLimitRule KeyUploadsPerDevice { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromHours(1) };

    /// <summary>Bundle fetches by one device of one target device (or of <c>*</c>); each fetch uses up one-time keys.</summary>
    public RateLimitRule PrekeyFetchPerDevicePair { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Sender certificates one account has signed.</summary>
    public RateLimitRule SenderCertificatesPerAccount { get; set; } = new() { PermitLimit = 60, Window = TimeSpan.FromHours(1) };

    public RateLimitRule RoomCreationsPerAccount { get; set; } = new() { PermitLimit = 50, Window = TimeSpan.FromHours(1) };

    /// <summary>Room invitations one account sends, each invitee counting one (a room created with 10 member ids: 10).</summary>
    public RateLimitRule RoomInvitationsPerAccount { get; set; } = new() { PermitLimit = 200, Window = TimeSpan.FromHours(1) };

    /// <summary>Accepting, declining, renaming, deleting, removing members and leaving, by one account.</summary>
    public RateLimitRule RoomChangesPerAccount { get; set; } = new() { PermitLimit = 60, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Attachment uploads (tus creations) by one account.</summary>
    public RateLimitRule AttachmentUploadsPerAccount { get; set; } = new() { PermitLimit = 100, Window = TimeSpan.FromHours(1) };

    /// <summary>Attachment PATCH, HEAD and downloads by one account.</summary>
    public RateLimitRule AttachmentRequestsPerAccount { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>TURN credentials fetched by one account.</summary>
    public RateLimitRule CallingRelaysPerAccount { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Push registrations set or removed by one account's devices.</summary>
    public RateLimitRule PushRegistrationsPerAccount { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromHours(1) };

    public RateLimitRule RuleFor(RateLimitBucket bucket) => bucket switch
    {
        RateLimitBucket.SignupPerIp => SignupPerIp,
        RateLimitBucket.TokenPerIp => TokenPerIp,
        RateLimitBucket.TokenPerUsernameAndIp => TokenPerUsernameAndIp,
        RateLimitBucket.TokenPerUsername => TokenPerUsername,
        RateLimitBucket.RefreshPerIp => RefreshPerIp,
        RateLimitBucket.LinkPerIp => LinkPerIp,
        RateLimitBucket.LinkPerAccount => LinkPerAccount,
        RateLimitBucket.DeviceRemovalsPerAccount => DeviceRemovalsPerAccount,
        RateLimitBucket.HubConnectsPerDevice => HubConnectsPerDevice,
        RateLimitBucket.UserLookupsPerAccount => UserLookupsPerAccount,
        RateLimitBucket.ReadsPerAccount => ReadsPerAccount,
        RateLimitBucket.MessagesPerAccount => MessagesPerAccount,
        RateLimitBucket.MessagesPerPair => MessagesPerPair,
        RateLimitBucket.UnidentifiedMessagesPerIp => UnidentifiedMessagesPerIp,
        RateLimitBucket.UnidentifiedMessagesPerDestination => UnidentifiedMessagesPerDestination,
        RateLimitBucket.AccountAttributesPerAccount => AccountAttributesPerAccount,
        RateLimitBucket.AcksPerDevice => AcksPerDevice,
        RateLimitBucket.ReadMarksPerDevice => ReadMarksPerDevice,
        RateLimitBucket.TypingPerDevice => TypingPerDevice,
        RateLimitBucket.KeyUploadsPerDevice => KeyUploadsPerDevice,
        RateLimitBucket.PrekeyFetchPerDevicePair => PrekeyFetchPerDevicePair,
        RateLimitBucket.SenderCertificatesPerAccount => SenderCertificatesPerAccount,
        RateLimitBucket.RoomCreationsPerAccount => RoomCreationsPerAccount,
        RateLimitBucket.RoomInvitationsPerAccount => RoomInvitationsPerAccount,
        RateLimitBucket.RoomChangesPerAccount => RoomChangesPerAccount,
        RateLimitBucket.AttachmentUploadsPerAccount => AttachmentUploadsPerAccount,
        RateLimitBucket.AttachmentRequestsPerAccount => AttachmentRequestsPerAccount,
        RateLimitBucket.CallingRelaysPerAccount => CallingRelaysPerAccount,
        RateLimitBucket.PushRegistrationsPerAccount => PushRegistrationsPerAccount,
        _ => throw new ArgumentOutOfRangeException(nameof(bucket)),
    };

    public void Validate()
    {
        foreach (var bucket in Enum.GetValues<RateLimitBucket>())
        {
            var rule = RuleFor(bucket);
            if (rule.PermitLimit < 1 || rule.Window <= TimeSpan.Zero || rule.Window > TimeSpan.FromDays(365))
            {
                throw new InvalidOperationException(
                    $"RateLimits:{bucket} needs PermitLimit of at least 1 and a Window between zero and a year.");
            }
        }
    }
}
