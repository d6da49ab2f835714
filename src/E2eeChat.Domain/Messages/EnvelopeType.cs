namespace E2eeChat.Domain.Messages;

/// <summary>
/// The documented envelope types: libsignal's <c>CiphertextMessageType</c> values, so a
/// client passes <c>message.type()</c> straight through and decrypts by the same number.
/// </summary>
public static class EnvelopeType
{
    /// <summary>A normal Double Ratchet message (libsignal <c>SignalMessage</c>).</summary>
    public const int Whisper = 2;

    /// <summary>The first message of a session (<c>PreKeySignalMessage</c>).</summary>
    public const int PreKey = 3;

    /// <summary>
    /// A sealed-sender message (libsignal <c>UNIDENTIFIED_SENDER</c>): the sender is inside the ciphertext. The only
    /// type an unauthenticated send may carry, and one an authenticated send may carry too.
    /// </summary>
    public const int UnidentifiedSender = 6;

    /// <summary>A group message under a sender key (<c>SenderKeyMessage</c>).</summary>
    public const int SenderKey = 7;

    /// <summary>Unencrypted content, e.g. a decryption-error notice (<c>PlaintextContent</c>).</summary>
    public const int Plaintext = 8;

    public static bool IsClientType(int type) => type is Whisper or PreKey or UnidentifiedSender or SenderKey or Plaintext;
}
