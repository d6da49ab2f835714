using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Messages;

/// <summary>
/// Sealed-sender delivery without authentication (issue 14.4): the access key admits a type-6 send, every refusal is the
/// same 401, the stored and delivered envelope has no source, and a multi-recipient message is parsed, checked and
/// split per device, all or nothing.
/// </summary>
public abstract class SealedSenderTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private const int SealedType = 6;
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Unidentified_send_with_the_access_key_reaches_every_device_without_a_source()
    {
        var bob = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(bob);
        var key = await SetKeyAsync(bob);
        var devices = await _api.DevicesAsync(bob);

        var sent = await AnonymousAsync(bob.UserId, Convert.ToBase64String(key), Send(devices.Select(d => Envelope(d.DeviceId, d.RegistrationId, "sealed", SealedType))));

        Assert.Equal(HttpStatusCode.OK, sent.Status);
        Assert.False(sent.Body!["needsSync"]!.GetValue<bool>());
        foreach (var device in new[] { bob, tablet })
        {
            var envelope = Assert.Single(await _api.MailboxAsync(device));
            Assert.Equal("sealed", Text(envelope));
            Assert.Equal(SealedType, envelope!["type"]!.GetValue<int>());
            Assert.False(envelope.AsObject().ContainsKey("sourceUserId"), envelope.ToJsonString());
            Assert.False(envelope.AsObject().ContainsKey("sourceDeviceId"), envelope.ToJsonString());
        }
    }

    [Fact]
    public async Task Wrong_key_unknown_user_and_account_without_a_key_get_byte_identical_401s_and_store_nothing()
    {
        var bob = await _api.SignUpAsync();
        var keyless = await _api.SignUpAsync();
        await SetKeyAsync(bob);
        var wrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        object Body(int registrationId) => Send([Envelope(1, registrationId, "guess", SealedType)]);

        var responses = new[]
        {
            await RawAnonymousAsync(bob.UserId, wrongKey, Body(1234)),
            await RawAnonymousAsync(Guid.NewGuid(), wrongKey, Body(1234)),
            await RawAnonymousAsync(keyless.UserId, wrongKey, Body(1234)),
            await RawAnonymousAsync(bob.UserId, "not base64!", Body(1234)),
        };

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Unauthorized, r.Status));
        Assert.Contains("\"code\":\"unidentified_access_denied\"", responses[0].Body, StringComparison.Ordinal);
        Assert.All(responses, r => Assert.Equal(responses[0].Body, r.Body));
        Assert.All(responses, r => Assert.Equal(responses[0].Headers, r.Headers));
        Assert.Empty(await _api.MailboxAsync(bob));
        Assert.Empty(await _api.MailboxAsync(keyless));
    }

    [Fact]
    public async Task Unrestricted_access_accepts_any_key()
    {
        var bob = await _api.SignUpAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PutAsync("/api/v1/accounts/me/attributes",
            new { unidentifiedAccessKey = (string?)null, unrestrictedUnidentifiedAccess = true }, bob.AccessToken)).Status);

        var sent = await AnonymousAsync(bob.UserId, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
            Send([Envelope(1, 1234, "to anyone's", SealedType)]));

        Assert.Equal(HttpStatusCode.OK, sent.Status);
        Assert.Equal(["to anyone's"], (await _api.MailboxAsync(bob)).Select(Text));
    }

    [Fact]
    public async Task Access_key_at_sign_up_admits_sends_and_a_malformed_key_is_refused_with_its_code()
    {
        var key = RandomNumberGenerator.GetBytes(16);
        var username = TestAccounts.UniqueUsername();
        var body = JsonSerializer(TestAccounts.SignUpBody(username));
        body["unidentifiedAccessKey"] = Convert.ToBase64String(key);
        var created = await _api.PostAsync("/api/v1/accounts", body);
        var bob = TestAccounts.FromTokens(username, created);

        var shortKey = await _api.PutAsync("/api/v1/accounts/me/attributes",
            new { unidentifiedAccessKey = Convert.ToBase64String(new byte[15]) }, bob.AccessToken);
        var notBase64 = await _api.PutAsync("/api/v1/accounts/me/attributes", new { unidentifiedAccessKey = "%%%" }, bob.AccessToken);
        var sent = await AnonymousAsync(bob.UserId, Convert.ToBase64String(key), Send([Envelope(1, 1234, "hi", SealedType)]));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_unidentified_access_key"), (shortKey.Status, shortKey.Code));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_unidentified_access_key"), (notBase64.Status, notBase64.Code));
        Assert.Equal(HttpStatusCode.OK, sent.Status);
    }

    [Fact]
    public async Task Authorization_and_access_key_together_return_400_and_store_nothing()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var key = await SetKeyAsync(bob);

        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/messages/{bob.UserId}")
        {
            Content = JsonContent.Create(Send([Envelope(1, 1234, "both", SealedType)])),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alice.AccessToken);
        request.Headers.Add("Unidentified-Access-Key", Convert.ToBase64String(key));
        using var response = await _api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("conflicting_authentication", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Without_authorization_or_access_key_a_send_is_401_unauthorized()
    {
        var bob = await _api.SignUpAsync();

        var response = await _api.PutAsync($"/api/v1/messages/{bob.UserId}", Send([Envelope(1, 1234, "x", SealedType)]));

        Assert.Equal((HttpStatusCode.Unauthorized, "unauthorized"), (response.Status, response.Code));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Unidentified_send_of_another_type_is_refused_and_stores_nothing(int type)
    {
        var bob = await _api.SignUpAsync();
        var key = await SetKeyAsync(bob);

        var response = await AnonymousAsync(bob.UserId, Convert.ToBase64String(key), Send([Envelope(1, 1234, "typed", type)]));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_envelope"), (response.Status, response.Code));
        Assert.Contains("6 (sealed sender)", response.Text("detail"), StringComparison.Ordinal);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Unidentified_retry_with_the_same_messageId_stores_once_and_returns_the_first_answer()
    {
        var bob = await _api.SignUpAsync();
        var key = Convert.ToBase64String(await SetKeyAsync(bob));
        var send = Send([Envelope(1, 1234, "once", SealedType)], messageId: "retry-1");

        var first = await AnonymousAsync(bob.UserId, key, send);
        var retry = await AnonymousAsync(bob.UserId, key, send);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(first.Body!.ToJsonString(), retry.Body!.ToJsonString());
        Assert.Equal(["once"], (await _api.MailboxAsync(bob)).Select(Text));
    }

    [Fact]
    public async Task Unidentified_send_to_a_stale_device_set_gets_409_and_410_and_stores_nothing()
    {
        var bob = await _api.SignUpAsync();
        var key = Convert.ToBase64String(await SetKeyAsync(bob));
        var tablet = await _api.LinkByPasswordAsync(bob);

        var missing = await AnonymousAsync(bob.UserId, key, Send([Envelope(1, 1234, "m", SealedType)]));
        var stale = await AnonymousAsync(bob.UserId, key, Send([Envelope(1, 999, "s", SealedType), Envelope(tablet.DeviceId, 4321, "s", SealedType)]));

        Assert.Equal((HttpStatusCode.Conflict, "mismatched_devices"), (missing.Status, missing.Code));
        Assert.Equal([tablet.DeviceId], missing.Body!["missingDevices"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Equal((HttpStatusCode.Gone, "stale_devices"), (stale.Status, stale.Code));
        Assert.Empty(await _api.MailboxAsync(bob));
        Assert.Empty(await _api.MailboxAsync(tablet));
    }

    [Fact]
    public async Task Multi_recipient_message_gives_each_device_its_own_received_message_byte_for_byte()
    {
        var bob = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(bob);
        var carol = await _api.SignUpAsync();
        var (bobKey, carolKey) = (await SetKeyAsync(bob), await SetKeyAsync(carol));
        var shared = RandomNumberGenerator.GetBytes(32 + 80);
        var (bobMaterial, carolMaterial) = (RandomNumberGenerator.GetBytes(48), RandomNumberGenerator.GetBytes(48));
        var message = MultiRecipient(MultiRecipientVersion.ServiceId, shared,
            (bob.UserId, [(1, 1234), (tablet.DeviceId, 4321)], bobMaterial), (carol.UserId, [(1, 1234)], carolMaterial));

        var response = await MultiAsync(message, Xor(bobKey, carolKey));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        foreach (var (device, material) in new[] { (bob, bobMaterial), (tablet, bobMaterial), (carol, carolMaterial) })
        {
            var envelope = Assert.Single(await _api.MailboxAsync(device));
            Assert.Equal([0x22, .. material, .. shared], Convert.FromBase64String(envelope!["content"]!.GetValue<string>()));
            Assert.Equal(SealedType, envelope["type"]!.GetValue<int>());
            Assert.False(envelope.AsObject().ContainsKey("sourceUserId"));
            Assert.Equal(response.Text("messageId"), envelope["messageId"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Multi_recipient_uuid_version_is_accepted_and_unrestricted_recipients_add_nothing_to_the_combined_key()
    {
        var bob = await _api.SignUpAsync();
        var open = await _api.SignUpAsync();
        var bobKey = await SetKeyAsync(bob);
        await _api.PutAsync("/api/v1/accounts/me/attributes", new { unrestrictedUnidentifiedAccess = true }, open.AccessToken);
        var message = MultiRecipient(MultiRecipientVersion.Uuid, RandomNumberGenerator.GetBytes(64),
            (bob.UserId, [(1, 1234)], RandomNumberGenerator.GetBytes(48)), (open.UserId, [(1, 1234)], RandomNumberGenerator.GetBytes(48)));

        var withOpenKeyMixedIn = await MultiAsync(message, Xor(bobKey, RandomNumberGenerator.GetBytes(16)));
        var withBobsAlone = await MultiAsync(message, bobKey);

        Assert.Equal(HttpStatusCode.Unauthorized, withOpenKeyMixedIn.Status);
        Assert.Equal(HttpStatusCode.OK, withBobsAlone.Status);
        Assert.Single(await _api.MailboxAsync(open));
    }

    [Fact]
    public async Task Multi_recipient_with_a_stale_device_set_gets_per_recipient_409_or_410_and_stores_nothing()
    {
        var bob = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(bob);
        var carol = await _api.SignUpAsync();
        var key = Xor(await SetKeyAsync(bob), await SetKeyAsync(carol));
        byte[] Message(params (Guid, (int, int)[], byte[])[] recipients) =>
            MultiRecipient(MultiRecipientVersion.ServiceId, RandomNumberGenerator.GetBytes(64), recipients);

        var missing = await MultiAsync(Message((bob.UserId, [(1, 1234)], new byte[48]), (carol.UserId, [(1, 1234)], new byte[48])), key);
        var stale = await MultiAsync(Message((bob.UserId, [(1, 1234), (tablet.DeviceId, 4321)], new byte[48]),
            (carol.UserId, [(1, 77)], new byte[48])), key);

        Assert.Equal((HttpStatusCode.Conflict, "mismatched_devices"), (missing.Status, missing.Code));
        var mismatched = Assert.Single(missing.Body!["mismatchedDevices"]!.AsArray());
        Assert.Equal(bob.UserId.ToString(), mismatched!["userId"]!.GetValue<string>());
        Assert.Equal([tablet.DeviceId], mismatched["missingDevices"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Equal((HttpStatusCode.Gone, "stale_devices"), (stale.Status, stale.Code));
        var staleUser = Assert.Single(stale.Body!["staleDevices"]!.AsArray());
        Assert.Equal((carol.UserId.ToString(), 1), (staleUser!["userId"]!.GetValue<string>(), staleUser["staleDevices"]![0]!.GetValue<int>()));
        foreach (var device in new[] { bob, tablet, carol })
        {
            Assert.Empty(await _api.MailboxAsync(device));
        }
    }

    public static TheoryData<string> MalformedMessages() =>
    [
        "empty", "version 0x11", "version 0x24", "no recipients", "count larger than the body", "count of 11 varint bytes",
        "duplicate recipient", "duplicate device", "device 0", "device 128", "excluded recipient", "PNI recipient",
        "no shared bytes", "short public key", .. Enumerable.Range(0, 12).Select(i => $"truncated by {17 + (i * 9)}"),
    ];

    [Theory]
    [MemberData(nameof(MalformedMessages))]
    public async Task Malformed_multi_recipient_body_returns_400_with_its_code_and_stores_nothing(string malformation)
    {
        var bob = await _api.SignUpAsync();
        var key = await SetKeyAsync(bob);
        var good = MultiRecipient(MultiRecipientVersion.ServiceId, RandomNumberGenerator.GetBytes(32 + 16),
            (bob.UserId, [(1, 1234)], new byte[48]));
        var recipient = good[2..(2 + 17)];
        var device = good[19..22];
        byte[] body = malformation switch
        {
            "empty" => [],
            "version 0x11" => [0x11, .. good[1..]],
            "version 0x24" => [0x24, .. good[1..]],
            "no recipients" => [0x23, 0x00, .. new byte[32]],
            "count larger than the body" => [0x23, 0xE8, 0x07, .. good[2..]],
            "count of 11 varint bytes" => [0x23, .. Enumerable.Repeat((byte)0xFF, 10), 0x01, .. good[2..]],
            "duplicate recipient" => [0x23, 0x02, .. recipient, .. device, .. new byte[48], .. recipient, .. device, .. new byte[48], .. new byte[32]],
            "duplicate device" => [0x23, 0x01, .. recipient, 0x01, 0x84, 0xD2, .. device, .. new byte[48], .. new byte[32]],
            "device 0" => [0x23, 0x01, .. recipient, 0x01, 0x84, 0xD2, 0x00, 0x04, 0xD2, .. new byte[48], .. new byte[32]],
            "device 128" => [0x23, 0x01, .. recipient, 0x80, 0x04, 0xD2, .. new byte[48], .. new byte[32]],
            "excluded recipient" => [0x23, 0x01, .. recipient, 0x00, .. new byte[32]],
            "PNI recipient" => [0x23, 0x01, 0x01, .. recipient[1..], .. device, .. new byte[48], .. new byte[32]],
            "no shared bytes" => good[..(1 + 1 + 17 + 3 + 48)],
            "short public key" => good[..(1 + 1 + 17 + 3 + 48 + 31)],
            _ => good[..^int.Parse(malformation["truncated by ".Length..], System.Globalization.CultureInfo.InvariantCulture)],
        };

        var response = await MultiAsync(body, key);

        Assert.True(response.Status == HttpStatusCode.BadRequest && response.Code == "invalid_multi_recipient_message", response.ToString());
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Multi_recipient_without_an_access_key_or_with_json_is_refused()
    {
        var bob = await _api.SignUpAsync();
        var key = await SetKeyAsync(bob);
        var message = MultiRecipient(MultiRecipientVersion.ServiceId, new byte[48], (bob.UserId, [(1, 1234)], new byte[48]));

        var withoutKey = await MultiAsync(message, null);
        var asJson = await MultiAsync(message, key, contentType: "application/json");
        var withoutTimestamp = await MultiAsync(message, key, timestamp: false);

        Assert.Equal((HttpStatusCode.Unauthorized, "unidentified_access_denied"), (withoutKey.Status, withoutKey.Code));
        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"), (asJson.Status, asJson.Code));
        Assert.Equal(HttpStatusCode.BadRequest, withoutTimestamp.Status);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    private async Task<byte[]> SetKeyAsync(TestDevice device)
    {
        var key = RandomNumberGenerator.GetBytes(16);
        var response = await _api.PutAsync("/api/v1/accounts/me/attributes", new { unidentifiedAccessKey = Convert.ToBase64String(key) },
            device.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        return key;
    }

    private async Task<ApiResponse> AnonymousAsync(Guid userId, string accessKey, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/messages/{userId}") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Unidentified-Access-Key", accessKey);
        using var response = await _api.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), null, response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<(HttpStatusCode Status, string Body, string Headers)> RawAnonymousAsync(Guid userId, string accessKey, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/messages/{userId}") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Unidentified-Access-Key", accessKey);
        using var response = await _api.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        // The trace id names the request, not the account: every other byte must match.
        var withoutTrace = JsonNode.Parse(text)!.AsObject();
        withoutTrace.Remove("traceId");
        var headers = string.Join('\n', response.Headers.Where(h => h.Key is not "Date")
            .Concat(response.Content.Headers.Where(h => h.Key is not "Content-Length"))
            .Select(h => $"{h.Key}: {string.Join(',', h.Value)}").Order());
        return (response.StatusCode, withoutTrace.ToJsonString(), headers);
    }

    private async Task<ApiResponse> MultiAsync(byte[] message, byte[]? accessKey, string contentType = "application/vnd.signal-messenger.mrm",
        bool timestamp = true)
    {
        var content = new ByteArrayContent(message);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var path = timestamp ? $"/api/v1/messages/multi_recipient?ts={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}" : "/api/v1/messages/multi_recipient";
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = content };
        if (accessKey is not null)
        {
            request.Headers.Add("Unidentified-Access-Key", Convert.ToBase64String(accessKey));
        }
        using var response = await _api.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), null, response.Content.Headers.ContentType?.MediaType);
    }

    private static JsonObject JsonSerializer(object value) => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(value))!.AsObject();

    private static byte[] Xor(byte[] a, byte[] b) => a.Zip(b, (x, y) => (byte)(x ^ y)).ToArray();

    private enum MultiRecipientVersion
    {
        Uuid = 0x22,
        ServiceId = 0x23,
    }

    /// <summary>The layout of libsignal's sent message, written by hand: the server does not open the cryptography.</summary>
    private static byte[] MultiRecipient(MultiRecipientVersion version, byte[] shared,
        params (Guid User, (int DeviceId, int RegistrationId)[] Devices, byte[] KeyMaterial)[] recipients)
    {
        var bytes = new List<byte> { (byte)version, (byte)recipients.Length };
        foreach (var (user, devices, material) in recipients)
        {
            if (version == MultiRecipientVersion.ServiceId)
            {
                bytes.Add(0x00);
            }
            var uuid = new byte[16];
            user.TryWriteBytes(uuid, bigEndian: true, out _);
            bytes.AddRange(uuid);
            for (var i = 0; i < devices.Length; i++)
            {
                bytes.Add((byte)devices[i].DeviceId);
                var registration = new byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(registration, (ushort)(devices[i].RegistrationId | (i < devices.Length - 1 ? 0x8000 : 0)));
                bytes.AddRange(registration);
            }
            bytes.AddRange(material);
        }
        bytes.AddRange(shared);
        return [.. bytes];
    }
}

public sealed class SqliteSealedSenderTests(SqliteServerFactory factory) : SealedSenderTests<SqliteServerFactory>(factory);

public sealed class PostgresSealedSenderTests(PostgresServerFactory factory) : SealedSenderTests<PostgresServerFactory>(factory);
