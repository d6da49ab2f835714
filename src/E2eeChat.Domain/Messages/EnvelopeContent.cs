namespace E2eeChat.Domain.Messages;

/// <summary>
/// The ciphertext of one outgoing envelope as the client's protocol carried it: base64 text (JSON) or raw
/// bytes (MessagePack). <see cref="SendParser"/> decodes and size-checks it, so both protocols get the same
/// errors, naming the envelope.
/// </summary>
public sealed class EnvelopeContent
{
    private EnvelopeContent(string? base64, byte[]? bytes, string? problem)
    {
        Base64 = base64;
        Bytes = bytes;
        Problem = problem;
    }

    /// <summary>Base64 text, not yet decoded.</summary>
    public string? Base64 { get; }

    /// <summary>The ciphertext itself.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Why the value cannot be content (a number where text or bytes belong), completing "content ...".</summary>
    public string? Problem { get; }

    public static EnvelopeContent FromBase64(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        return new EnvelopeContent(base64, null, null);
    }

    public static EnvelopeContent FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new EnvelopeContent(null, bytes, null);
    }

    /// <param name="problem">Completes "messages[i].content ...", e.g. "must be a base64 string".</param>
    public static EnvelopeContent Unreadable(string problem)
    {
        ArgumentException.ThrowIfNullOrEmpty(problem);
        return new EnvelopeContent(null, null, problem);
    }
}
