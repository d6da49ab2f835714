namespace E2eeChat.LoadTest.Sending;

/// <summary>How a stream's message reaches the server: one send holding one envelope per destination device.</summary>
internal interface ISendTransport
{
    /// <summary>Completes when the server accepted the send; throws when it refused or the connection failed.</summary>
    Task SendAsync(SenderStream stream, byte[] content, CancellationToken cancellationToken);
}
