using System.Threading.Channels;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Server.Hub;

/// <summary>
/// Sends receipts to their senders coalesced: one loop takes every receipt queued since its last pass and sends each
/// sender one <c>Receipts</c> event with all of theirs, so that a batch of acks costs one hub message per sender, not one
/// per envelope. Receipts are hints (the status is stored): one that cannot be sent is dropped, as <see cref="UserEvents"/> says.
/// </summary>
public sealed class ReceiptFanout : IAsyncDisposable
{
    private readonly Channel<Receipt> _queue = Channel.CreateUnbounded<Receipt>(new UnboundedChannelOptions { SingleReader = true });
    private readonly UserEvents _events;
    private readonly Task _loop;

    public ReceiptFanout(UserEvents events)
    {
        _events = events;
        _loop = Task.Run(SendAsync);
    }

    public void Enqueue(IReadOnlyList<Receipt> receipts)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        foreach (var receipt in receipts)
        {
            _queue.Writer.TryWrite(receipt);
        }
    }

    private async Task SendAsync()
    {
        var bySender = new Dictionary<Guid, List<ReceiptEvent>>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var receipt))
            {
                if (!bySender.TryGetValue(receipt.SenderUserId, out var list))
                {
                    list = [];
                    bySender[receipt.SenderUserId] = list;
                }
                list.Add(new ReceiptEvent(receipt.MessageId, receipt.UserId, receipt.DeviceId, receipt.Status, receipt.At));
            }
            var sends = new Task[bySender.Count];
            var i = 0;
            foreach (var (sender, receipts) in bySender)
            {
                // Every device of the sender hears it, so their views of the conversation agree.
                sends[i++] = _events.SendAsync(sender, HubEvents.Receipts, receipts.ToArray());
            }
            bySender.Clear();
            try
            {
                await Task.WhenAll(sends).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A hint that could not go out must not stop the ones after it.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
