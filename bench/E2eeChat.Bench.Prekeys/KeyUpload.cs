using System.Security.Cryptography;
using System.Text.Json.Nodes;
using E2eeChat.Signal.Curve;

namespace E2eeChat.Bench.Prekeys;

/// <summary>
/// One full upload at libsignal's sizes, shared by every target: random key bytes (the server does not parse
/// keys) with real signatures by the targets' shared identity key (the server verifies them).
/// </summary>
internal static class KeyUpload
{
    public const int OneTimeKeys = 100;

    public static string Create(Curve25519KeyPair identity)
    {
        JsonObject Key(int id, int length, bool signed)
        {
            var bytes = RandomNumberGenerator.GetBytes(length);
            bytes[0] = length == 33 ? (byte)0x05 : (byte)0x08;
            var key = new JsonObject { ["keyId"] = id, ["publicKey"] = Convert.ToBase64String(bytes) };
            if (signed)
            {
                key["signature"] = Convert.ToBase64String(identity.Sign(bytes));
            }
            return key;
        }

        var preKeys = new JsonArray();
        var pqPreKeys = new JsonArray();
        for (var id = 1; id <= OneTimeKeys; id++)
        {
            preKeys.Add(Key(id, 33, signed: false));
            pqPreKeys.Add(Key(id, 1569, signed: true));
        }
        return new JsonObject
        {
            ["signedPreKey"] = Key(1, 33, signed: true),
            ["pqLastResortPreKey"] = Key(10_000, 1569, signed: true),
            ["preKeys"] = preKeys,
            ["pqPreKeys"] = pqPreKeys,
        }.ToJsonString();
    }
}
