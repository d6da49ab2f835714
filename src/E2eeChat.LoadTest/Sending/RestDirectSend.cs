using E2eeChat.LoadTest.Api;

namespace E2eeChat.LoadTest.Sending;

/// <summary>PUT /api/v1/messages/{userId} with the sending device's token: for filling mailboxes of offline devices.</summary>
internal sealed class RestDirectSend(LoadApiClient api, string accessToken) : ISendTransport
{
    public Task SendAsync(SenderStream stream, byte[] content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var request = OutgoingEnvelopes.Request(stream, content, OutgoingEnvelopes.Whisper, withUserIds: false);
        return api.SendMessageAsync(accessToken, stream.Destinations[0].UserId, request, cancellationToken);
    }
}
