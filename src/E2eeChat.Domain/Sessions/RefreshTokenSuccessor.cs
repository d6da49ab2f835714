using System.Security.Cryptography;
using System.Text;

namespace E2eeChat.Domain.Sessions;

/// <summary>
/// The token that replaces a refresh token: HMAC-SHA256 of it under a server key, so a retry of the same refresh
/// within the grace window is given the same successor without the server keeping any token in the clear. Nobody
/// without the key can compute it; the key comes from the signing key, which every instance shares.
/// </summary>
public sealed class RefreshTokenSuccessor
{
    public const int KeyBytes = 32;
    private readonly byte[] _key;

    public RefreshTokenSuccessor(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < KeyBytes)
        {
            throw new ArgumentException($"The successor key must be at least {KeyBytes} bytes.", nameof(key));
        }
        _key = key;
    }

    public string Of(string refreshToken)
    {
        ArgumentNullException.ThrowIfNull(refreshToken);
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(refreshToken));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
