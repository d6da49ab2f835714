using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace E2eeChat.Server.Calling;

/// <summary>
/// TURN credentials in coturn's TURN REST API form (<c>use-auth-secret</c>): the username is
/// <c>expiry:userId</c> (expiry in Unix seconds) and the password the base64 HMAC-SHA1 of the username under the
/// shared secret, which coturn recomputes; no state is shared with it. A WebRTC client uses them as an
/// <c>RTCIceServer</c> <c>{urls: uris, username, credential: password}</c>.
/// </summary>
public sealed record TurnCredentials(string Username, string Password, long Ttl, IReadOnlyList<string> Uris)
{
    public static TurnCredentials Issue(CallingOptions options, Guid userId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        var expiry = (now + options.CredentialTtl).ToUnixTimeSeconds();
        var username = string.Create(CultureInfo.InvariantCulture, $"{expiry}:{userId}");
        var password = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(options.TurnSecret!), Encoding.UTF8.GetBytes(username)));
        return new TurnCredentials(username, password, (long)options.CredentialTtl.TotalSeconds, options.Urls);
    }
}
