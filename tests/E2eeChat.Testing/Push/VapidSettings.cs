using System.Buffers.Text;
using System.Security.Cryptography;

namespace E2eeChat.Testing.Push;

/// <summary>
/// The VAPID settings cluster mode requires (<c>Push:VapidPublicKey</c>, <c>:VapidPrivateKey</c>, <c>:VapidSubject</c>),
/// made fresh: what an operator makes with <c>push create-vapid-keys</c>.
/// </summary>
public static class VapidSettings
{
    public const string Subject = "mailto:operator@e2eechat.invalid";

    /// <summary>The settings by name: <c>Push__VapidPublicKey</c> for environment variables, <c>Push:VapidPublicKey</c> with ":".</summary>
    public static Dictionary<string, string> Create(string separator = "__")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return new Dictionary<string, string>
        {
            [$"Push{separator}VapidPublicKey"] = Base64Url.EncodeToString([0x04, .. parameters.Q.X!, .. parameters.Q.Y!]),
            [$"Push{separator}VapidPrivateKey"] = Base64Url.EncodeToString(parameters.D!),
            [$"Push{separator}VapidSubject"] = Subject,
        };
    }
}
