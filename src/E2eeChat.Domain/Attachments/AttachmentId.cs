using System.Buffers;
using E2eeChat.Domain.Common;

namespace E2eeChat.Domain.Attachments;

/// <summary>Attachment ids: 128 random bits, base64url without padding (22 characters), so nobody can guess one.</summary>
public static class AttachmentId
{
    public const int Characters = 22;

    private static readonly SearchValues<char> Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static string New() => SecretToken.New(16);

    /// <summary>Whether <paramref name="id"/> could be one of ours; anything else is unknown without a lookup.</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: Characters } && !id.AsSpan().ContainsAnyExcept(Alphabet);
}
