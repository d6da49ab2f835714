using Microsoft.AspNetCore.SignalR.Client;

namespace E2eeChat.LoadTest.Sending;

/// <summary>Hub <c>SendToRoom(roomId, request)</c>: one envelope per device of every other member and of the sender's other devices.</summary>
internal sealed class HubRoomSend(Guid roomId) : ISendTransport
{
    public Task SendAsync(SenderStream stream, byte[] content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var request = OutgoingEnvelopes.Request(stream, content, OutgoingEnvelopes.SenderKey, withUserIds: true);
        return stream.Sender!.Connection.InvokeAsync("SendToRoom", roomId, request, cancellationToken);
    }
}
