namespace E2eeChat.Domain.Messages;

/// <summary>
/// The ciphertext of one outgoing envelope as the client's protocol reader decoded it (from base64 text in JSON,
/// raw bytes in MessagePack), or why it could not. <see cref="SendParser"/> refuses and size-checks it, so both
/// protocols get the same errors, naming the envelope.
/// </summary>
public sealed class EnvelopeContent
{
    private EnvelopeContent(byte[]? bytes, string? problem)
    {
        Bytes = bytes;
        Problem = problem;
    }

    /// <summary>The ciphertext itself.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Why the value cannot be content (a number where text or bytes belong, text that is not base64), completing "content ...".</summary>
    public string? Problem { get; }

    public static EnvelopeContent FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new EnvelopeContent(bytes, null);
    }

    /// <param name="problem">Completes "messages[i].content ...", e.g. "is not valid base64".</param>
    public static EnvelopeContent Unreadable(string problem)
    {
        ArgumentException.ThrowIfNullOrEmpty(problem);
        return new EnvelopeContent(null, problem);
    }
}
