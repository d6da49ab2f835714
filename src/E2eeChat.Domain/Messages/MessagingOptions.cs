using E2eeChat.Domain.Common;

namespace E2eeChat.Domain.Messages;

/// <summary>Bound from the <c>Messages</c> section.</summary>
public sealed class MessagingOptions : IValidatedOptions
{
    public const string SectionName = "Messages";
    public const long DefaultMaxMailboxEnvelopes = 10_000;
    public const long DefaultMaxMailboxBytes = 100L * 1024 * 1024;

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

    /// <summary>Envelopes one destination device's mailbox may hold; a send beyond it is refused (429 <c>mailbox_full</c>).</summary>
    public long MaxMailboxEnvelopes { get; set; } = DefaultMaxMailboxEnvelopes;

    /// <summary>Content bytes one destination device's mailbox may hold.</summary>
    public long MaxMailboxBytes { get; set; } = DefaultMaxMailboxBytes;

    /// <summary>
    /// Content bytes of announced envelopes one connection's pump may hold queued; beyond it announcements are dropped and
    /// the pump rereads the mailbox when it catches up (online-only sends beyond it are lost, as when the device is offline).
    /// </summary>
    public long MaxQueuedBytesPerConnection { get; set; } = 4L * 1024 * 1024;

    /// <summary>
    /// How long one push to a connection may stay blocked (the client stopped reading and the transport's buffers are
    /// full) before the server closes the connection; its envelopes stay in the mailbox for its next connection.
    /// </summary>
    public TimeSpan SlowConsumerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Content bytes of one <c>GET /api/v1/messages</c> page, at most (one envelope always fits).</summary>
    public long MaxPageBytes { get; set; } = 4L * 1024 * 1024;

    public MailboxQuota MailboxQuota => new(MaxMailboxEnvelopes, MaxMailboxBytes);

    /// <summary>Fails start-up on a quota that could never take one envelope of the largest size.</summary>
    public void Validate()
    {
        if (MaxMailboxEnvelopes < 1)
        {
            throw new InvalidOperationException("Messages:MaxMailboxEnvelopes must be at least 1.");
        }
        if (MaxQueuedBytesPerConnection < MaxEnvelopeBytes || MaxPageBytes < MaxEnvelopeBytes)
        {
            throw new InvalidOperationException(
                "Messages:MaxQueuedBytesPerConnection and Messages:MaxPageBytes must each be at least Messages:MaxEnvelopeBytes.");
        }
        if (SlowConsumerTimeout <= TimeSpan.Zero || SlowConsumerTimeout > TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException($"Messages:SlowConsumerTimeout ({SlowConsumerTimeout}) must be more than 0 and at most 1 hour.");
        }
        if (MaxMailboxBytes < MaxEnvelopeBytes)
        {
            throw new InvalidOperationException(
                $"Messages:MaxMailboxBytes ({MaxMailboxBytes}) must be at least Messages:MaxEnvelopeBytes ({MaxEnvelopeBytes}).");
        }
    }
}
