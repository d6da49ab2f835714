using E2eeChat.Domain.Messages;
using E2eeChat.Server.Delivery;

namespace E2eeChat.Server.Hub;

/// <summary>Turns committed sends and receipts into hub traffic for the devices that are online.</summary>
internal sealed class HubMessageEvents(IDeviceBus bus, UserEvents events) : IMessageEvents
{
    public ValueTask EnvelopesAsync(IReadOnlyList<Envelope> envelopes, bool durable, CancellationToken cancellationToken) =>
        bus.AnnounceAsync(envelopes, cancellationToken);

    public async ValueTask ReceiptsAsync(IReadOnlyList<Receipt> receipts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        foreach (var receipt in receipts)
        {
            // Every device of the sender hears it, so their views of the conversation agree.
            await events.SendAsync(receipt.SenderUserId, HubEvents.Receipt,
                new ReceiptEvent(receipt.MessageId, receipt.UserId, receipt.DeviceId, receipt.Status, receipt.At)).ConfigureAwait(false);
        }
    }
}
