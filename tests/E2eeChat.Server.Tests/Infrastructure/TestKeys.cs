using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using E2eeChat.Signal.Curve;
using Xunit;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>
/// Prekey uploads with libsignal's sizes (33-byte EC and 1569-byte Kyber public keys) and random key
/// content, each signed key carrying a real XEdDSA signature by the account's identity key (the server
/// checks them); the JS tests use real libsignal keys.
/// </summary>
public static class TestKeys
{
    public const int SignedPreKeyId = 1;
    public const int LastResortKeyId = 1000;

    public static string Ec() => Random(0x05, 33);

    public static string Kyber() => Random(0x08, 1569);

    /// <summary>64 random bytes: no one's signature.</summary>
    public static string Signature() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));

    /// <summary>A key signed by <paramref name="signer"/>'s account identity key, as libsignal signs it: over the serialized public key.</summary>
    public static JsonObject Signed(TestDevice signer, int keyId, string publicKey) => Signed(signer.Identity, keyId, publicKey);

    public static JsonObject Signed(Curve25519KeyPair identity, int keyId, string publicKey)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return new()
        {
            ["keyId"] = keyId,
            ["publicKey"] = publicKey,
            ["signature"] = Convert.ToBase64String(identity.Sign(Convert.FromBase64String(publicKey))),
        };
    }

    public static JsonObject OneTimeEc(int keyId) => new() { ["keyId"] = keyId, ["publicKey"] = Ec() };

    /// <summary>
    /// Every kind for <paramref name="signer"/>'s device: signed prekey 1, last-resort Kyber prekey 1000, and
    /// one-time keys with ids from <paramref name="firstId"/>.
    /// </summary>
    public static JsonObject Upload(TestDevice signer, int ecCount, int kyberCount, int firstId = 1) => new()
    {
        ["signedPreKey"] = Signed(signer, SignedPreKeyId, Ec()),
        ["pqLastResortPreKey"] = Signed(signer, LastResortKeyId, Kyber()),
        ["preKeys"] = OneTimeEcKeys(ecCount, firstId),
        ["pqPreKeys"] = OneTimeKyberKeys(signer, kyberCount, firstId),
    };

    public static JsonArray OneTimeEcKeys(int count, int firstId = 1) =>
        new(Enumerable.Range(firstId, count).Select(id => (JsonNode)OneTimeEc(id)).ToArray());

    public static JsonArray OneTimeKyberKeys(TestDevice signer, int count, int firstId = 1) =>
        new(Enumerable.Range(firstId, count).Select(id => (JsonNode)Signed(signer, id, Kyber())).ToArray());

    public static async Task<JsonObject> UploadKeysAsync(this ApiClient api, TestDevice device, JsonObject upload)
    {
        var response = await api.PutAsync("/api/v1/keys", upload, device.AccessToken);
        Assert.True(response.Status == HttpStatusCode.NoContent, response.ToString());
        return upload;
    }

    public static async Task<(int Count, int PqCount)> KeyCountAsync(this ApiClient api, TestDevice device)
    {
        var response = await api.GetAsync("/api/v1/keys/count", device.AccessToken);
        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        return (response.Int("count"), response.Int("pqCount"));
    }

    /// <summary>Asserts that a key in a bundle is the uploaded one, field by field (a one-time EC key has no signature).</summary>
    public static void AssertSameKey(JsonNode? expected, JsonNode? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected["keyId"]!.GetValue<int>(), actual["keyId"]!.GetValue<int>());
        Assert.Equal(expected["publicKey"]!.GetValue<string>(), actual["publicKey"]!.GetValue<string>());
        Assert.Equal(expected["signature"]?.GetValue<string>(), actual["signature"]?.GetValue<string>());
    }

    private static string Random(byte type, int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        bytes[0] = type;
        return Convert.ToBase64String(bytes);
    }
}
