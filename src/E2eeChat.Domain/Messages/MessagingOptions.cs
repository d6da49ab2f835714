namespace E2eeChat.Domain.Messages;

/// <summary>Bound from the <c>Messages</c> section.</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messages";

    /// <summary>Largest decoded content of one envelope.</summary>
    public int MaxEnvelopeBytes { get; set; } = 256 * 1024;

    /// <summary>Largest decoded content of all envelopes of one send.</summary>
    public int MaxRequestBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Envelopes nobody acknowledged are deleted after this long.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    public int MaxTtlSeconds { get; set; } = (int)TimeSpan.FromDays(30).TotalSeconds;

    /// <summary>Envelopes pushed to a connection and not yet acknowledged, at most.</summary>
    public int DeliveryWindow { get; set; } = 256;

    /// <summary>How often the reaper deletes expired envelopes.</summary>
    public TimeSpan ReaperInterval { get; set; } = TimeSpan.FromSeconds(30);
}
