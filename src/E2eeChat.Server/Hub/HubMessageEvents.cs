using E2eeChat.Domain.Messages;
using E2eeChat.Server.Delivery;
using E2eeChat.Server.Push;

namespace E2eeChat.Server.Hub;

/// <summary>Turns committed sends and receipts into hub traffic for the devices that are online.</summary>
internal sealed class HubMessageEvents(IDeviceBus bus, ReceiptFanout fanout, WakeUps wakeUps) : IMessageEvents
{
    public async ValueTask EnvelopesAsync(IReadOnlyList<Envelope> envelopes, bool durable, bool urgent, CancellationToken cancellationToken)
    {
        var unreached = await bus.AnnounceAsync(envelopes, cancellationToken).ConfigureAwait(false);
        if (durable && urgent && unreached.Count > 0)
        {
            // Queued, never awaited: the send's answer does not wait for any push service.
            wakeUps.Offer(unreached);
        }
    }

    public ValueTask EnvelopesAgainAsync(IReadOnlyList<Envelope> envelopes, bool urgent, CancellationToken cancellationToken) =>
        EnvelopesAsync(envelopes, durable: true, urgent, cancellationToken);

    public ValueTask ReceiptsAsync(IReadOnlyList<Receipt> receipts, CancellationToken cancellationToken)
    {
        fanout.Enqueue(receipts);
        return ValueTask.CompletedTask;
    }
}
