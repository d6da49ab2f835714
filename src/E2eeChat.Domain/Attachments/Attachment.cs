namespace E2eeChat.Domain.Attachments;

/// <summary>
/// An upload of opaque ciphertext: <see cref="Offset"/> of <see cref="Length"/> bytes stored so far. The server never
/// holds its key; the uploader sends key and digest inside an end-to-end encrypted message.
/// </summary>
public sealed record Attachment(
    string Id,
    Guid OwnerId,
    long Length,
    long Offset,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt)
{
    /// <summary>Every byte is stored; only then is the attachment served.</summary>
    public bool IsComplete => Offset == Length;

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;
}
