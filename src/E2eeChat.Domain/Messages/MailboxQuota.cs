namespace E2eeChat.Domain.Messages;

/// <summary>
/// What one destination device's mailbox may hold: envelopes and their content bytes. A send that would take any of its
/// devices past either is refused as a whole (<see cref="StoreOutcomeKind.MailboxFull"/>).
/// </summary>
public sealed record MailboxQuota(long MaxEnvelopes, long MaxBytes)
{
    public static MailboxQuota Default { get; } = new(MessagingOptions.DefaultMaxMailboxEnvelopes, MessagingOptions.DefaultMaxMailboxBytes);
}
