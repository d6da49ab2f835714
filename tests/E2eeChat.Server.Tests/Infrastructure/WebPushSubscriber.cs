using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>
/// A browser's side of a Web Push subscription: its P-256 key pair and auth secret (what <c>PushSubscription</c>
/// holds), the RFC 8291 decryption of an aes128gcm message (RFC 8188), and the RFC 8292 check of a VAPID header.
/// </summary>
public sealed class WebPushSubscriber : IDisposable
{
    private readonly ECDiffieHellman _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    public WebPushSubscriber()
    {
        var q = _key.ExportParameters(includePrivateParameters: false).Q;
        PublicKey = [0x04, .. q.X!, .. q.Y!];
    }

    public byte[] PublicKey { get; }

    public byte[] AuthSecret { get; } = RandomNumberGenerator.GetBytes(16);

    /// <summary>The body of <c>PUT /api/v1/devices/me/push</c>, as <c>PushSubscription.toJSON()</c> gives it.</summary>
    public object Registration(Uri endpoint) => new
    {
        webPush = new
        {
            endpoint = endpoint.ToString(),
            keys = new { p256dh = Base64Url.EncodeToString(PublicKey), auth = Base64Url.EncodeToString(AuthSecret) },
        },
    };

    /// <summary>RFC 8291 §3.4 and RFC 8188 §2: the plaintext of an aes128gcm body sent to this subscription.</summary>
    public byte[] Decrypt(byte[] body)
    {
        var salt = body[..16];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        int idLength = body[20];
        var serverPublicKey = body[21..(21 + idLength)];
        var records = body[(21 + idLength)..];
        Assert.Equal(65, idLength);
        Assert.True(records.Length <= recordSize, "one record");

        using var server = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = serverPublicKey[1..33], Y = serverPublicKey[33..] },
        });
        var sharedSecret = _key.DeriveRawSecretAgreement(server.PublicKey);
        byte[] keyInfo = [.. "WebPush: info"u8, 0, .. PublicKey, .. serverPublicKey];
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, sharedSecret, 32, AuthSecret, keyInfo);
        var contentKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 16, salt, [.. "Content-Encoding: aes128gcm"u8, 0]);
        var nonce = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 12, salt, [.. "Content-Encoding: nonce"u8, 0]);

        var plaintext = new byte[records.Length - 16];
        using (var aes = new AesGcm(contentKey, 16))
        {
            aes.Decrypt(nonce, records[..^16], records[^16..], plaintext);
        }
        // The last record ends with 0x02, then zero padding.
        var end = plaintext.Length - 1;
        while (plaintext[end] == 0)
        {
            end--;
        }
        Assert.Equal(2, plaintext[end]);
        return plaintext[..end];
    }

    /// <summary>
    /// Checks an <c>Authorization: vapid t=JWT, k=KEY</c> header (RFC 8292 §3): k is the server's key, the JWT's ES256
    /// signature verifies with it; returns the JWT's claims.
    /// </summary>
    public static JsonObject VerifiedVapidClaims(string authorization, string serverPublicKey)
    {
        Assert.StartsWith("vapid ", authorization, StringComparison.Ordinal);
        var parameters = authorization["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(serverPublicKey, parameters["k"]);
        var parts = parameters["t"].Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!;
        Assert.Equal("ES256", header["alg"]!.GetValue<string>());

        var key = Base64Url.DecodeFromChars(serverPublicKey);
        using var verifier = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = key[1..33], Y = key[33..] },
        });
        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        Assert.True(verifier.VerifyData(signed, Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation), "the VAPID token's ES256 signature verifies with the server's public key");
        return JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
    }

    public void Dispose() => _key.Dispose();
}
