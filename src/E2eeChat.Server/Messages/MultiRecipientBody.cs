using E2eeChat.Domain.Errors;

namespace E2eeChat.Server.Messages;

/// <summary>Reads a multi-recipient message's raw body, refusing more than the request limit with 413 before reading it all.</summary>
internal static class MultiRecipientBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static DomainException TooLarge(int maxBytes) => new(ErrorKind.PayloadTooLarge, ErrorCodes.PayloadTooLarge,
        $"A multi-recipient message may be at most {maxBytes} bytes.");
}
