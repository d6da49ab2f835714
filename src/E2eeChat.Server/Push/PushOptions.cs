using E2eeChat.Domain.Common;

namespace E2eeChat.Server.Push;

/// <summary>
/// Bound from the <c>Push</c> section. The VAPID key pair (RFC 8292) is required in cluster mode, the same on every
/// instance (<c>push create-vapid-keys</c> makes one); the embedded default generates its own into <c>./data</c>.
/// </summary>
public sealed class PushOptions : IValidatedOptions
{
    public const string SectionName = "Push";

    /// <summary>Base64url of the uncompressed P-256 public key (65 bytes): the browser's <c>applicationServerKey</c>.</summary>
    public string? VapidPublicKey { get; set; }

    /// <summary>Base64url of the private scalar (32 bytes). A secret.</summary>
    public string? VapidPrivateKey { get; set; }

    /// <summary>The operator's contact, a <c>mailto:</c> or <c>https:</c> URI, sent to push services in each VAPID token.</summary>
    public string? VapidSubject { get; set; }

    /// <summary>Accept <c>http:</c> endpoints and connect to loopback and private addresses: tests and development only.</summary>
    public bool AllowInsecureEndpoints { get; set; }

    /// <summary>Wake-ups waiting to be sent, at most; more are dropped (the device still finds its mail when it connects).</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Tries per wake-up when the push service answers 429 or 5xx, or does not answer.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>How long one request to a push service or gateway may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a push service keeps an undelivered wake-up (the Web Push <c>TTL</c> header).</summary>
    public TimeSpan WakeUpTimeToLive { get; set; } = TimeSpan.FromDays(1);

    public bool HasVapidSetting =>
        !string.IsNullOrWhiteSpace(VapidPublicKey) || !string.IsNullOrWhiteSpace(VapidPrivateKey);

    public void Validate()
    {
        if (QueueCapacity is < 1 or > 1_000_000)
        {
            throw new InvalidOperationException($"{SectionName}:QueueCapacity must be from 1 to 1000000.");
        }
        if (MaxAttempts is < 1 or > 10)
        {
            throw new InvalidOperationException($"{SectionName}:MaxAttempts must be from 1 to 10.");
        }
        if (RequestTimeout < TimeSpan.FromSeconds(1) || RequestTimeout > TimeSpan.FromMinutes(2))
        {
            throw new InvalidOperationException($"{SectionName}:RequestTimeout must be between one second and two minutes.");
        }
        if (WakeUpTimeToLive < TimeSpan.Zero || WakeUpTimeToLive > TimeSpan.FromDays(28))
        {
            throw new InvalidOperationException($"{SectionName}:WakeUpTimeToLive must be between zero and 28 days.");
        }
        if (HasVapidSetting && (string.IsNullOrWhiteSpace(VapidPublicKey) || string.IsNullOrWhiteSpace(VapidPrivateKey)))
        {
            throw new InvalidOperationException($"Set both {SectionName}:VapidPublicKey and {SectionName}:VapidPrivateKey, or neither.");
        }
        if (!string.IsNullOrWhiteSpace(VapidSubject) && !IsContact(VapidSubject))
        {
            throw new InvalidOperationException($"{SectionName}:VapidSubject must be a mailto: or https: URI.");
        }
    }

    private static bool IsContact(string subject) =>
        subject.StartsWith("mailto:", StringComparison.Ordinal)
        || (Uri.TryCreate(subject, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps);
}
