using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.Server.Tests.Keys;

/// <summary>Uploading, counting and claiming prekeys through the HTTP API, on each store.</summary>
public abstract class KeyApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Uploaded_keys_come_back_in_bundles_fetched_by_username_and_by_user_id()
    {
        var username = TestAccounts.UniqueUsername("Keys");
        var identityKey = TestAccounts.IdentityKey(username);
        var alice = TestAccounts.FromTokens(username,
            await _api.PostAsync("/api/v1/accounts", TestAccounts.SignUpBody(username, identityKey)));
        var bob = await _api.SignUpAsync();
        var upload = await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 2, kyberCount: 2));

        var byName = await _api.GetAsync($"/api/v1/keys/{username.ToUpperInvariant()}/1", bob.AccessToken);
        var byId = await _api.GetAsync($"/api/v1/keys/{alice.UserId}/1", bob.AccessToken);

        Assert.Equal(HttpStatusCode.OK, byName.Status);
        Assert.Equal(identityKey, byName.Text("identityKey"));
        var first = Assert.Single(byName.Body!["devices"]!.AsArray())!;
        Assert.Equal(1, first["deviceId"]!.GetValue<int>());
        Assert.Equal(1234, first["registrationId"]!.GetValue<int>());
        TestKeys.AssertSameKey(upload["signedPreKey"], first["signedPreKey"]);
        TestKeys.AssertSameKey(upload["preKeys"]![0], first["preKey"]);
        TestKeys.AssertSameKey(upload["pqPreKeys"]![0], first["pqPreKey"]);
        Assert.Null(first["preKey"]!["signature"]);
        Assert.Equal(HttpStatusCode.OK, byId.Status);
        var second = Assert.Single(byId.Body!["devices"]!.AsArray())!;
        TestKeys.AssertSameKey(upload["preKeys"]![1], second["preKey"]);
        TestKeys.AssertSameKey(upload["pqPreKeys"]![1], second["pqPreKey"]);
        Assert.Equal((0, 0), await _api.KeyCountAsync(alice));
    }

    [Fact]
    public async Task Without_one_time_keys_preKey_is_null_and_pqPreKey_is_the_last_resort_key()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var upload = await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 0, kyberCount: 0));

        var bundle = await _api.GetAsync($"/api/v1/keys/{alice.Username}/1", bob.AccessToken);

        Assert.Equal(HttpStatusCode.OK, bundle.Status);
        var device = bundle.Body!["devices"]![0]!.AsObject();
        Assert.True(device.ContainsKey("preKey"), "preKey is written as null, not left out");
        Assert.Null(device["preKey"]);
        TestKeys.AssertSameKey(upload["pqLastResortPreKey"], device["pqPreKey"]);
    }

    [Fact]
    public async Task Star_returns_every_device_that_has_keys_and_leaves_out_the_others()
    {
        var alice = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(alice, "tablet");
        await _api.LinkByPasswordAsync(alice, "laptop");
        var bob = await _api.SignUpAsync();
        await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 1, kyberCount: 1));
        var tabletKeys = await _api.UploadKeysAsync(tablet, TestKeys.Upload(tablet, ecCount: 1, kyberCount: 0));

        var bundle = await _api.GetAsync($"/api/v1/keys/{alice.UserId}/*", bob.AccessToken);

        Assert.Equal(HttpStatusCode.OK, bundle.Status);
        var devices = bundle.Body!["devices"]!.AsArray();
        Assert.Equal([1, tablet.DeviceId], devices.Select(d => d!["deviceId"]!.GetValue<int>()));
        Assert.Equal(4321, devices[1]!["registrationId"]!.GetValue<int>());
        TestKeys.AssertSameKey(tabletKeys["preKeys"]![0], devices[1]!["preKey"]);
        TestKeys.AssertSameKey(tabletKeys["pqLastResortPreKey"], devices[1]!["pqPreKey"]);
        Assert.Equal((0, 0), await _api.KeyCountAsync(alice));
        Assert.Equal((0, 0), await _api.KeyCountAsync(tablet));
    }

    [Fact]
    public async Task Upload_replaces_the_kinds_it_names_and_count_is_per_device()
    {
        var alice = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(alice, "tablet");
        var bob = await _api.SignUpAsync();
        var first = await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 3, kyberCount: 4));
        await _api.UploadKeysAsync(tablet, TestKeys.Upload(tablet, ecCount: 1, kyberCount: 1));

        var onlyEc = await _api.UploadKeysAsync(alice, new JsonObject { ["preKeys"] = TestKeys.OneTimeEcKeys(5, firstId: 50) });

        Assert.Equal((5, 4), await _api.KeyCountAsync(alice));
        Assert.Equal((1, 1), await _api.KeyCountAsync(tablet));
        var device = (await _api.GetAsync($"/api/v1/keys/{alice.UserId}/1", bob.AccessToken)).Body!["devices"]![0]!;
        TestKeys.AssertSameKey(first["signedPreKey"], device["signedPreKey"]);
        TestKeys.AssertSameKey(onlyEc["preKeys"]![0], device["preKey"]);
        TestKeys.AssertSameKey(first["pqPreKeys"]![0], device["pqPreKey"]);
    }

    public static TheoryData<string, string, string> BadUploads => new()
    {
        { "empty", "invalid_request", "names no keys" },
        { "signed-no-signature", "invalid_prekey", "signedPreKey.signature is required" },
        { "signed-short-key", "invalid_prekey", "signedPreKey.publicKey must decode to 33 bytes" },
        { "signed-short-signature", "invalid_prekey", "signedPreKey.signature must decode to 64 bytes" },
        { "signed-id-too-big", "invalid_prekey", "signedPreKey.keyId must be an integer from 0 to 2147483647" },
        { "last-resort-ec-sized", "invalid_prekey", "pqLastResortPreKey.publicKey must decode to 1569 bytes" },
        { "ec-wrong-length", "invalid_prekey", "preKeys[3].publicKey must decode to 33 bytes" },
        { "ec-not-base64", "invalid_prekey", "preKeys[2].publicKey is not valid base64" },
        { "ec-with-signature", "invalid_prekey", "preKeys[1].signature must be absent" },
        { "ec-negative-id", "invalid_prekey", "preKeys[0].keyId must be an integer" },
        { "ec-duplicate-id", "invalid_prekey", "preKeys[4].keyId 1 appears more than once" },
        { "ec-null-entry", "invalid_prekey", "preKeys[2] must be a key" },
        { "ec-101-keys", "invalid_prekey", "preKeys holds 101 keys; at most 100" },
        { "kyber-no-signature", "invalid_prekey", "pqPreKeys[0].signature is required" },
        { "kyber-ec-sized", "invalid_prekey", "pqPreKeys[1].publicKey must decode to 1569 bytes" },
        { "kyber-id-of-last-resort", "invalid_prekey", "pqPreKeys[2].keyId 1000 is also pqLastResortPreKey's id" },
        { "id-not-a-number", "malformed_json", "" },
    };

    [Theory]
    [MemberData(nameof(BadUploads))]
    public async Task Bad_upload_returns_400_naming_the_key_and_stores_nothing(string bad, string code, string detail)
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var before = await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 2, kyberCount: 2));
        // Every other part of the body is valid and would replace what is stored.
        var upload = TestKeys.Upload(alice, ecCount: 5, kyberCount: 5, firstId: 10);
        Corrupt(upload, bad);

        var response = await _api.PutAsync("/api/v1/keys", upload, alice.AccessToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(code, response.Code);
        Assert.Contains(detail, response.Text("detail"), StringComparison.Ordinal);
        Assert.Equal((2, 2), await _api.KeyCountAsync(alice));
        var device = (await _api.GetAsync($"/api/v1/keys/{alice.UserId}/1", bob.AccessToken)).Body!["devices"]![0]!;
        TestKeys.AssertSameKey(before["signedPreKey"], device["signedPreKey"]);
    }

    [Theory]
    [InlineData("signedPreKey", "signature")]
    [InlineData("signedPreKey", "publicKey")]
    [InlineData("pqLastResortPreKey", "signature")]
    [InlineData("pqLastResortPreKey", "publicKey")]
    [InlineData("pqPreKeys[3]", "signature")]
    [InlineData("pqPreKeys[4]", "publicKey")]
    public async Task Upload_with_one_flipped_bit_under_a_signature_returns_422_naming_the_key_and_stores_nothing(
        string key, string field)
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var before = await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 2, kyberCount: 2));
        var upload = TestKeys.Upload(alice, ecCount: 5, kyberCount: 5, firstId: 10);
        var target = key.StartsWith("pqPreKeys", StringComparison.Ordinal)
            ? upload["pqPreKeys"]![key["pqPreKeys[".Length] - '0']!
            : upload[key]!;
        var bytes = Convert.FromBase64String(target[field]!.GetValue<string>());
        bytes[17] ^= 0x04;
        target[field] = Convert.ToBase64String(bytes);

        var response = await _api.PutAsync("/api/v1/keys", upload, alice.AccessToken);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal("invalid_signature", response.Code);
        Assert.StartsWith($"{key}.signature is not the account identity key's signature", response.Text("detail"), StringComparison.Ordinal);
        Assert.Equal((2, 2), await _api.KeyCountAsync(alice));
        var device = (await _api.GetAsync($"/api/v1/keys/{alice.UserId}/1", bob.AccessToken)).Body!["devices"]![0]!;
        TestKeys.AssertSameKey(before["signedPreKey"], device["signedPreKey"]);
        TestKeys.AssertSameKey(before["preKeys"]![0], device["preKey"]);
        TestKeys.AssertSameKey(before["pqPreKeys"]![0], device["pqPreKey"]);
    }

    [Fact]
    public async Task Keys_signed_by_another_accounts_identity_key_are_refused_with_422()
    {
        var alice = await _api.SignUpAsync();
        var mallory = await _api.SignUpAsync();

        var response = await _api.PutAsync("/api/v1/keys", TestKeys.Upload(mallory, ecCount: 1, kyberCount: 1), alice.AccessToken);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Equal("invalid_signature", response.Code);
        Assert.Contains("signedPreKey.signature", response.Text("detail"), StringComparison.Ordinal);
        Assert.Equal((0, 0), await _api.KeyCountAsync(alice));
    }

    [Fact]
    public async Task Key_check_agrees_with_the_stored_keys_and_disagrees_once_they_change()
    {
        var alice = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(alice, "tablet");
        var first = await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 1, kyberCount: 1));
        var firstDigest = Digest(alice, first);

        var agreed = await _api.PostAsync("/api/v1/keys/check", new { digest = firstDigest }, alice.AccessToken);
        var fromOtherDevice = await _api.PostAsync("/api/v1/keys/check", new { digest = firstDigest }, tablet.AccessToken);
        var second = await _api.UploadKeysAsync(alice, new JsonObject
        {
            ["signedPreKey"] = TestKeys.Signed(alice, 2, TestKeys.Ec()),
        });
        var stale = await _api.PostAsync("/api/v1/keys/check", new { digest = firstDigest }, alice.AccessToken);
        second["pqLastResortPreKey"] = first["pqLastResortPreKey"]!.DeepClone();
        var current = await _api.PostAsync("/api/v1/keys/check", new { digest = Digest(alice, second) }, alice.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, agreed.Status);
        Assert.Equal(HttpStatusCode.Conflict, fromOtherDevice.Status);
        Assert.Equal("keys_mismatch", fromOtherDevice.Code);
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Equal("keys_mismatch", stale.Code);
        Assert.Equal(HttpStatusCode.NoContent, current.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public async Task Key_check_with_a_malformed_digest_returns_400(string? digest)
    {
        var alice = await _api.SignUpAsync();

        var response = await _api.PostAsync("/api/v1/keys/check", new { digest }, alice.AccessToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Code);
        Assert.Contains("digest", response.Text("detail"), StringComparison.Ordinal);
    }

    /// <summary>Signal-Server's /v2/keys/check digest of an upload, computed here from its definition.</summary>
    private static string Digest(TestDevice device, JsonObject upload)
    {
        static byte[] Id(JsonNode key)
        {
            var id = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(id, key["keyId"]!.GetValue<int>());
            return id;
        }

        var signed = upload["signedPreKey"]!;
        var lastResort = upload["pqLastResortPreKey"]!;
        byte[] material =
        [
            .. device.Identity.PublicKey,
            .. Id(signed), .. Convert.FromBase64String(signed["publicKey"]!.GetValue<string>()),
            .. Id(lastResort), .. Convert.FromBase64String(lastResort["publicKey"]!.GetValue<string>()),
        ];
        return Convert.ToBase64String(SHA256.HashData(material));
    }

    [Fact]
    public async Task Unknown_users_devices_and_keyless_devices_return_404_and_bad_device_ids_400()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await _api.LinkByPasswordAsync(alice, "tablet");
        await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 1, kyberCount: 1));

        async Task<ApiResponse> Fetch(string path) => await _api.GetAsync($"/api/v1/keys/{path}", bob.AccessToken);

        Assert.Equal("user_not_found", (await Fetch($"{TestAccounts.UniqueUsername("ghost")}/1")).Code);
        Assert.Equal("user_not_found", (await Fetch($"{Guid.NewGuid()}/*")).Code);
        var missingDevice = await Fetch($"{alice.UserId}/5");
        Assert.Equal(HttpStatusCode.NotFound, missingDevice.Status);
        Assert.Equal("device_not_found", missingDevice.Code);
        var keylessDevice = await Fetch($"{alice.UserId}/2");
        Assert.Equal(HttpStatusCode.NotFound, keylessDevice.Status);
        Assert.Equal("no_prekeys", keylessDevice.Code);
        Assert.Equal("no_prekeys", (await Fetch($"{bob.Username}/*")).Code);
        Assert.Equal(HttpStatusCode.NotFound, (await Fetch($"{bob.Username}/*")).Status);
        foreach (var bad in new[] { "abc", "0", "-1", "1.5" })
        {
            var response = await Fetch($"{alice.UserId}/{bad}");
            Assert.Equal(HttpStatusCode.BadRequest, response.Status);
            Assert.Equal("invalid_device_id", response.Code);
        }
        // None of the refused fetches used up a key.
        Assert.Equal((1, 1), await _api.KeyCountAsync(alice));
    }

    [Fact]
    public async Task Every_keys_endpoint_requires_a_token()
    {
        var alice = await _api.SignUpAsync();
        await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 1, kyberCount: 1));

        var responses = new[]
        {
            await _api.PutAsync("/api/v1/keys", TestKeys.Upload(alice, ecCount: 3, kyberCount: 3)),
            await _api.GetAsync("/api/v1/keys/count"),
            await _api.PostAsync("/api/v1/keys/check", new { digest = Convert.ToBase64String(new byte[32]) }),
            await _api.GetAsync($"/api/v1/keys/{alice.UserId}/1"),
            await _api.GetAsync($"/api/v1/keys/{alice.UserId}/*"),
        };

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Unauthorized, r.Status));
        Assert.All(responses, r => Assert.Equal("unauthorized", r.Code));
        Assert.Equal((1, 1), await _api.KeyCountAsync(alice));
    }

    [Fact]
    public async Task Removing_a_device_deletes_its_keys()
    {
        var alice = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(alice, "tablet");
        var bob = await _api.SignUpAsync();
        await _api.UploadKeysAsync(tablet, TestKeys.Upload(tablet, ecCount: 3, kyberCount: 3));
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/api/v1/keys/{alice.UserId}/{tablet.DeviceId}", bob.AccessToken)).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await _api.DeleteAsync($"/api/v1/devices/{tablet.DeviceId}", alice.AccessToken)).Status);
        var gone = await _api.GetAsync($"/api/v1/keys/{alice.UserId}/{tablet.DeviceId}", bob.AccessToken);
        // The next device takes the freed id and must start with no keys.
        var watch = await _api.LinkByPasswordAsync(alice, "watch");
        var fresh = await _api.GetAsync($"/api/v1/keys/{alice.UserId}/{watch.DeviceId}", bob.AccessToken);

        Assert.Equal("device_not_found", gone.Code);
        Assert.Equal(tablet.DeviceId, watch.DeviceId);
        Assert.Equal(HttpStatusCode.NotFound, fresh.Status);
        Assert.Equal("no_prekeys", fresh.Code);
        Assert.Equal((0, 0), await _api.KeyCountAsync(watch));
    }

    [Fact]
    public async Task Concurrent_fetches_by_several_requesters_never_hand_out_a_key_twice()
    {
        var alice = await _api.SignUpAsync();
        var upload = await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 10, kyberCount: 10));
        var requesters = new[] { await _api.SignUpAsync(), await _api.SignUpAsync(), await _api.SignUpAsync() };

        var fetches = await Task.WhenAll(requesters.SelectMany(requester => Enumerable.Range(0, 10)
            .Select(_ => _api.GetAsync($"/api/v1/keys/{alice.UserId}/1", requester.AccessToken))));

        Assert.All(fetches, f => Assert.Equal(HttpStatusCode.OK, f.Status));
        var devices = fetches.Select(f => f.Body!["devices"]![0]!).ToArray();
        var ecKeys = devices.Select(d => d["preKey"]?["keyId"]?.GetValue<int>()).OfType<int>().Order().ToArray();
        var pqKeys = devices.Select(d => d["pqPreKey"]!["keyId"]!.GetValue<int>()).ToArray();
        Assert.Equal(Enumerable.Range(1, 10), ecKeys);
        Assert.Equal(20, devices.Count(d => d["preKey"] is null));
        Assert.Equal(Enumerable.Range(1, 10), pqKeys.Where(id => id != TestKeys.LastResortKeyId).Order());
        Assert.Equal(20, pqKeys.Count(id => id == TestKeys.LastResortKeyId));
        Assert.All(devices.Where(d => d["pqPreKey"]!["keyId"]!.GetValue<int>() == TestKeys.LastResortKeyId),
            d => TestKeys.AssertSameKey(upload["pqLastResortPreKey"], d["pqPreKey"]));
        Assert.Equal((0, 0), await _api.KeyCountAsync(alice));
    }

    private static void Corrupt(JsonObject upload, string bad)
    {
        var preKeys = upload["preKeys"]!.AsArray();
        var pqPreKeys = upload["pqPreKeys"]!.AsArray();
        switch (bad)
        {
            case "empty":
                upload.Clear();
                break;
            case "signed-no-signature":
                upload["signedPreKey"]!.AsObject().Remove("signature");
                break;
            case "signed-short-key":
                upload["signedPreKey"]!["publicKey"] = Convert.ToBase64String(new byte[32]);
                break;
            case "signed-short-signature":
                upload["signedPreKey"]!["signature"] = Convert.ToBase64String(new byte[63]);
                break;
            case "signed-id-too-big":
                upload["signedPreKey"]!["keyId"] = 2147483648L;
                break;
            case "last-resort-ec-sized":
                upload["pqLastResortPreKey"]!["publicKey"] = TestKeys.Ec();
                break;
            case "ec-wrong-length":
                preKeys[3]!["publicKey"] = Convert.ToBase64String(new byte[34]);
                break;
            case "ec-not-base64":
                preKeys[2]!["publicKey"] = "not base64!";
                break;
            case "ec-with-signature":
                preKeys[1]!["signature"] = TestKeys.Signature();
                break;
            case "ec-negative-id":
                preKeys[0]!["keyId"] = -1;
                break;
            case "ec-duplicate-id":
                preKeys[4]!["keyId"] = 1;
                preKeys[0]!["keyId"] = 1;
                break;
            case "ec-null-entry":
                preKeys[2] = null;
                break;
            case "ec-101-keys":
                upload["preKeys"] = TestKeys.OneTimeEcKeys(101);
                break;
            case "kyber-no-signature":
                pqPreKeys[0]!.AsObject().Remove("signature");
                break;
            case "kyber-ec-sized":
                pqPreKeys[1]!["publicKey"] = TestKeys.Ec();
                break;
            case "kyber-id-of-last-resort":
                pqPreKeys[2]!["keyId"] = TestKeys.LastResortKeyId;
                break;
            case "id-not-a-number":
                preKeys[0]!["keyId"] = "one";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(bad), bad, "No such case.");
        }
    }
}

public sealed class SqliteKeyApiTests(SqliteServerFactory factory) : KeyApiTests<SqliteServerFactory>(factory);

public sealed class PostgresKeyApiTests(PostgresServerFactory factory) : KeyApiTests<PostgresServerFactory>(factory);
