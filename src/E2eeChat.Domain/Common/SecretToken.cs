using System.Security.Cryptography;
using System.Text;

namespace E2eeChat.Domain.Common;

/// <summary>
/// High-entropy bearer secrets (refresh tokens, link codes). Only their SHA-256 is stored:
/// with 128+ random bits a slow hash adds nothing, and lookups stay indexed.
/// </summary>
public static class SecretToken
{
    private const string Base32Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>A URL-safe random token of <paramref name="bytes"/> random bytes.</summary>
    public static string New(int bytes = 32) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>A code people can type: <paramref name="length"/> characters, 5 random bits each, no 0/O/1/I.</summary>
    public static string NewTypeable(int length) => RandomNumberGenerator.GetString(Base32Alphabet, length);

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
