using E2eeChat.Domain.Messages;

namespace E2eeChat.Server.Metrics;

/// <summary>Counts what the domain reports after the fact: stored envelopes and delivered receipts (one per acked envelope).</summary>
internal sealed class MeteredMessageEvents(IMessageEvents inner, E2eeChatMetrics metrics) : IMessageEvents
{
    public ValueTask EnvelopesAsync(IReadOnlyList<Envelope> envelopes, bool durable, bool urgent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        if (durable)
        {
            metrics.EnvelopesStored(envelopes.Count);
        }
        return inner.EnvelopesAsync(envelopes, durable, urgent, cancellationToken);
    }

    public ValueTask EnvelopesAgainAsync(IReadOnlyList<Envelope> envelopes, bool urgent, CancellationToken cancellationToken) =>
        inner.EnvelopesAgainAsync(envelopes, urgent, cancellationToken);

    public ValueTask ReceiptsAsync(IReadOnlyList<Receipt> receipts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        var delivered = 0;
        foreach (var receipt in receipts)
        {
            if (receipt.Status == DeliveryStatus.Delivered)
            {
                delivered++;
            }
        }
        metrics.EnvelopesAcked(delivered);
        return inner.ReceiptsAsync(receipts, cancellationToken);
    }
}
