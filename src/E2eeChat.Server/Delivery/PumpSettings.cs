using E2eeChat.Domain.Messages;
using E2eeChat.Server.Metrics;

namespace E2eeChat.Server.Delivery;

/// <summary>What every <see cref="MailboxPump"/> of an instance shares, made once: a pump holds one reference, not each of these.</summary>
internal sealed class PumpSettings
{
    private const int MaxReadBatch = 100;

    public PumpSettings(IMailboxStore mailbox, MessagingOptions options, TimeProvider clock, E2eeChatMetrics metrics, ILogger logger)
    {
        Mailbox = mailbox;
        Clock = clock;
        Metrics = metrics;
        Logger = logger;
        DeliveryWindow = options.DeliveryWindow;
        MaxHeldBytes = options.MaxQueuedBytesPerConnection;
        SlowConsumerTimeout = options.SlowConsumerTimeout;
        MaxEnvelopeBytes = options.MaxEnvelopeBytes;
        // A page of envelopes of the largest size still fits the budget (options validation keeps this at least 1).
        ReadBatch = (int)Math.Clamp(options.MaxQueuedBytesPerConnection / options.MaxEnvelopeBytes, 1, MaxReadBatch);
    }

    public IMailboxStore Mailbox { get; }

    public TimeProvider Clock { get; }

    public E2eeChatMetrics Metrics { get; }

    public ILogger Logger { get; }

    public int DeliveryWindow { get; }

    /// <summary>Content bytes a pump may hold: its queued announcements and the mailbox page it is pushing.</summary>
    public long MaxHeldBytes { get; }

    public TimeSpan SlowConsumerTimeout { get; }

    /// <summary>Largest content of one envelope: what a mailbox page reserves per envelope.</summary>
    public int MaxEnvelopeBytes { get; }

    /// <summary>Envelopes per mailbox read.</summary>
    public int ReadBatch { get; }
}
