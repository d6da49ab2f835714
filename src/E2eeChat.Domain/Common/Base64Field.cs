using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Common;

/// <summary>Decodes a standard-base64 request field of an exact length, or refuses it with a precise code.</summary>
public static class Base64Field
{
    public static byte[] Decode(string? value, string field, int expectedLength, string code)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw DomainException.BadRequest(code, $"{field} is required.");
        }
        var buffer = new byte[(value.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(value, buffer, out var written))
        {
            throw DomainException.BadRequest(code, $"{field} is not valid base64.");
        }
        if (written != expectedLength)
        {
            throw DomainException.BadRequest(code, $"{field} must decode to {expectedLength} bytes, not {written}.");
        }
        return buffer.AsSpan(0, written).ToArray();
    }
}
