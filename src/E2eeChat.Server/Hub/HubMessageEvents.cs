using E2eeChat.Domain.Messages;
using E2eeChat.Server.Delivery;

namespace E2eeChat.Server.Hub;

/// <summary>Turns committed sends and receipts into hub traffic for the devices that are online.</summary>
internal sealed class HubMessageEvents(IDeviceBus bus, ReceiptFanout fanout) : IMessageEvents
{
    public ValueTask EnvelopesAsync(IReadOnlyList<Envelope> envelopes, bool durable, CancellationToken cancellationToken) =>
        bus.AnnounceAsync(envelopes, cancellationToken);

    public ValueTask ReceiptsAsync(IReadOnlyList<Receipt> receipts, CancellationToken cancellationToken)
    {
        fanout.Enqueue(receipts);
        return ValueTask.CompletedTask;
    }
}
