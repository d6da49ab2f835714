using E2eeChat.LoadTest.Api;

namespace E2eeChat.LoadTest.Sending;

/// <summary>Builds the envelopes of one send: the same content for every destination device (the server cannot tell).</summary>
internal static class OutgoingEnvelopes
{
    /// <summary>libsignal's SignalMessage: what a normal one-to-one message is.</summary>
    public const int Whisper = 2;

    /// <summary>libsignal's SenderKeyMessage: what a group message is.</summary>
    public const int SenderKey = 7;

    public static SendRequest Request(SenderStream stream, byte[] content, int type, bool withUserIds)
    {
        var destinations = stream.Destinations;
        var envelopes = new OutgoingEnvelope[destinations.Count];
        for (var i = 0; i < envelopes.Length; i++)
        {
            var destination = destinations[i];
            envelopes[i] = new OutgoingEnvelope(withUserIds ? destination.UserId : null, destination.DeviceId,
                destination.RegistrationId, type, content);
        }
        return new SendRequest(envelopes, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }
}
