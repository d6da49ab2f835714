using Microsoft.AspNetCore.SignalR.Client;

namespace E2eeChat.LoadTest.Sending;

/// <summary>Hub <c>Send(destinationUserId, request)</c> over the sender's own connection.</summary>
internal sealed class HubDirectSend : ISendTransport
{
    public Task SendAsync(SenderStream stream, byte[] content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var request = OutgoingEnvelopes.Request(stream, content, OutgoingEnvelopes.Whisper, withUserIds: false);
        return stream.Sender!.Connection.InvokeAsync("Send", stream.Destinations[0].UserId, request, cancellationToken);
    }
}
