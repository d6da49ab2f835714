using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using E2eeChat.Storage;
using Lib.Net.Http.WebPush.Authentication;

namespace E2eeChat.Server.Push;

/// <summary>
/// The server's VAPID key pair (RFC 8292, ECDSA P-256): configured, or generated once into <c>data/vapid.pem</c>
/// (PKCS#8, mode 0600) beside the SQLite file. Push services check each wake-up's token against the public key the
/// browser subscribed with.
/// </summary>
public sealed class VapidKeys
{
    public const int PublicKeyBytes = 65;
    public const int PrivateKeyBytes = 32;
    private const string FileName = "vapid.pem";

    private VapidKeys(ECParameters key, string? subject)
    {
        PublicKey = Base64Url.EncodeToString([0x04, .. key.Q.X!, .. key.Q.Y!]);
        PrivateKey = Base64Url.EncodeToString(key.D!);
        Subject = subject;
    }

    /// <summary>Base64url of the uncompressed public key, for <c>GET /api/v1/push/vapid</c>.</summary>
    public string PublicKey { get; }

    internal string PrivateKey { get; }

    public string? Subject { get; }

    /// <summary>The library's signer of VAPID tokens; its tokens last 12 hours (its default) and are made per request.</summary>
    internal VapidAuthentication Authentication() => new(PublicKey, PrivateKey) { Subject = Subject };

    public static VapidKeys Resolve(PushOptions push, StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(push);
        ArgumentNullException.ThrowIfNull(storage);
        if (push.HasVapidSetting)
        {
            return new VapidKeys(Parse(push.VapidPublicKey!, push.VapidPrivateKey!), push.VapidSubject);
        }
        if (storage.Provider == StorageProvider.Postgres)
        {
            throw new InvalidOperationException(
                "Push:VapidPublicKey, Push:VapidPrivateKey and Push:VapidSubject are required in cluster mode " +
                "(Storage:Provider=Postgres), the same on every instance. Make a key pair with " +
                "`dotnet E2eeChat.Server.dll push create-vapid-keys --out DIR` and set Push__VapidPublicKey and " +
                "Push__VapidPrivateKey to the two files' contents, and Push__VapidSubject to a mailto: or https: contact.");
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(storage.SqlitePath))!;
        PrivateFiles.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        using (var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            if (!PrivateFiles.TryCreate(path, Encoding.ASCII.GetBytes(fresh.ExportPkcs8PrivateKeyPem())))
            {
                PrivateFiles.Restrict(path);
            }
        }
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException($"{path} does not hold a PEM private key: {exception.Message}");
        }
        var parameters = key.ExportParameters(includePrivateParameters: true);
        if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new InvalidOperationException($"{path} must hold a P-256 key.");
        }
        return new VapidKeys(parameters, push.VapidSubject);
    }

    /// <summary>A new key pair, as the <c>push create-vapid-keys</c> command writes it.</summary>
    public static (string PublicKey, string PrivateKey) Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keys = new VapidKeys(key.ExportParameters(includePrivateParameters: true), subject: null);
        return (keys.PublicKey, keys.PrivateKey);
    }

    private static ECParameters Parse(string publicKey, string privateKey)
    {
        var q = Decode(publicKey, "Push:VapidPublicKey", PublicKeyBytes);
        var d = Decode(privateKey, "Push:VapidPrivateKey", PrivateKeyBytes);
        if (q[0] != 0x04)
        {
            throw new InvalidOperationException("Push:VapidPublicKey must be an uncompressed P-256 point (starting with 0x04).");
        }
        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = q[1..33], Y = q[33..] },
            D = d,
        };
        try
        {
            // A signature made with the private half that the public half verifies proves they belong together.
            using var signer = ECDsa.Create(parameters);
            using var verifier = ECDsa.Create(new ECParameters { Curve = parameters.Curve, Q = parameters.Q });
            var probe = Encoding.ASCII.GetBytes("e2eechat vapid key check");
            if (verifier.VerifyData(probe, signer.SignData(probe, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256))
            {
                return parameters;
            }
        }
        catch (CryptographicException)
        {
            // Not a point on the curve, or a scalar out of range: the same answer as a mismatch.
        }
        throw new InvalidOperationException("Push:VapidPublicKey and Push:VapidPrivateKey are not a P-256 key pair.");
    }

    private static byte[] Decode(string value, string setting, int length)
    {
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(value.Trim().TrimEnd('='));
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{setting} is not valid base64url.");
        }
        if (bytes.Length != length)
        {
            throw new InvalidOperationException($"{setting} must decode to {length} bytes, not {bytes.Length}.");
        }
        return bytes;
    }
}
