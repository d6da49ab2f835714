using System.Buffers.Text;
using System.Security.Cryptography;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Push;

/// <summary>Checks what a device registers before it is stored: a bad key or URL would otherwise fail every wake-up.</summary>
public static class PushRegistrationRules
{
    public const int P256dhBytes = 65;
    public const int AuthBytes = 16;
    public const int MaxUrlLength = 2048;
    public const int MaxAppIdLength = 256;
    public const int MaxPushKeyLength = 1024;

    /// <summary>A Web Push subscription as the browser's <c>PushSubscription.toJSON()</c> gives it (keys in base64url).</summary>
    public static PushRegistration WebPush(Guid userId, int deviceId, string? endpoint, string? p256dh, string? auth,
        bool allowInsecureEndpoints)
    {
        var url = Url(endpoint, "webPush.endpoint", allowInsecureEndpoints);
        var publicKey = Base64UrlBytes(p256dh, "webPush.keys.p256dh", P256dhBytes);
        if (publicKey[0] != 0x04 || !IsP256Point(publicKey))
        {
            throw Invalid("webPush.keys.p256dh must be an uncompressed P-256 point (65 bytes starting with 0x04).");
        }
        var secret = Base64UrlBytes(auth, "webPush.keys.auth", AuthBytes);
        return new PushRegistration(userId, deviceId, PushKind.WebPush, url, publicKey, secret, AppId: null, PushKey: null);
    }

    /// <summary>A push gateway's notify URL and the ids it knows the device by.</summary>
    public static PushRegistration Gateway(Guid userId, int deviceId, string? url, string? appId, string? pushKey,
        bool allowInsecureEndpoints)
    {
        var endpoint = Url(url, "gateway.url", allowInsecureEndpoints);
        return new PushRegistration(userId, deviceId, PushKind.Gateway, endpoint, P256dh: null, Auth: null,
            Text(appId, "gateway.appId", MaxAppIdLength), Text(pushKey, "gateway.pushKey", MaxPushKeyLength));
    }

    public static DomainException Invalid(string detail) => DomainException.BadRequest(ErrorCodes.InvalidPushRegistration, detail);

    private static string Url(string? value, string field, bool allowInsecure)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxUrlLength || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            throw Invalid($"{field} must be an absolute URL of at most {MaxUrlLength} characters.");
        }
        var secure = uri.Scheme == Uri.UriSchemeHttps;
        if (!secure && !(allowInsecure && uri.Scheme == Uri.UriSchemeHttp))
        {
            throw Invalid($"{field} must be an https URL.");
        }
        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw Invalid($"{field} may carry neither user information nor a fragment.");
        }
        return uri.AbsoluteUri;
    }

    private static byte[] Base64UrlBytes(string? value, string field, int length)
    {
        byte[] bytes;
        try
        {
            bytes = string.IsNullOrEmpty(value) ? [] : Base64Url.DecodeFromChars(value.TrimEnd('='));
        }
        catch (FormatException)
        {
            bytes = [];
        }
        if (bytes.Length != length)
        {
            throw Invalid($"{field} must be base64url of {length} bytes.");
        }
        return bytes;
    }

    private static bool IsP256Point(byte[] uncompressed)
    {
        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = uncompressed[1..33], Y = uncompressed[33..] },
            });
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static string Text(string? value, string field, int maxLength)
    {
        if (string.IsNullOrEmpty(value) || value.Length > maxLength || value.Any(char.IsControl))
        {
            throw Invalid($"{field} must be 1 to {maxLength} characters, none of them control characters.");
        }
        return value;
    }
}
