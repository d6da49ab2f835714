using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Limits;

/// <summary>
/// Every bucket that counts an authenticated caller set low, with hour-long windows so that no token comes back
/// while a test runs. Each test uses fresh accounts, so the tests share the server but not their buckets.
/// </summary>
public sealed class LowCallerLimitsServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        foreach (var (bucket, permits) in new (string, int)[]
        {
            ("MessagesPerPair", 3), ("MessagesPerAccount", 5), ("HubConnectsPerDevice", 2), ("UserLookupsPerAccount", 2),
            ("ReadsPerAccount", 8), ("AcksPerDevice", 2), ("ReadMarksPerDevice", 2), ("TypingPerDevice", 2),
            ("KeyUploadsPerDevice", 2), ("SenderCertificatesPerAccount", 2), ("RoomCreationsPerAccount", 2),
            ("RoomChangesPerAccount", 2), ("DeviceRemovalsPerAccount", 1),
            // Only the unidentified-send test below sends without authentication, so it alone uses the address bucket.
            ("UnidentifiedMessagesPerDestination", 2), ("UnidentifiedMessagesPerIp", 5),
        })
        {
            Settings[$"RateLimits:{bucket}:PermitLimit"] = permits.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Settings[$"RateLimits:{bucket}:Window"] = "01:00:00";
        }
        return base.InitializeAsync();
    }
}

public sealed class CallerRateLimitTests(LowCallerLimitsServerFactory factory) : IClassFixture<LowCallerLimitsServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task REST_sends_beyond_the_pair_limit_get_429_stored_or_online_and_store_nothing()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();

        var sent = new[]
        {
            await _api.SendTextAsync(alice, bob, "one"),
            await _api.SendTextAsync(alice, bob, "live", online: true),
            await _api.SendTextAsync(alice, bob, "two"),
        };
        var fourth = await _api.SendTextAsync(alice, bob, "three");
        var fourthOnline = await _api.SendTextAsync(alice, bob, "live again", online: true);

        Assert.All(sent, response => Assert.Equal(HttpStatusCode.OK, response.Status));
        AssertLimited(fourth);
        AssertLimited(fourthOnline);
        Assert.Equal(["one", "two"], (await _api.MailboxAsync(bob)).Select(Text));
        // Another recipient is another pair.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(alice, carol, "hi carol")).Status);
    }

    [Fact]
    public async Task Unidentified_sends_are_limited_per_destination_and_per_address_and_a_refused_one_stores_nothing()
    {
        var (bob, carol, dave) = (await _api.SignUpAsync(), await _api.SignUpAsync(), await _api.SignUpAsync());
        var key = Convert.ToBase64String(new byte[16]);
        foreach (var user in new[] { bob, carol, dave })
        {
            await _api.PutAsync("/api/v1/accounts/me/attributes", new { unidentifiedAccessKey = key }, user.AccessToken);
        }
        async Task<HttpStatusCode> SealedAsync(TestDevice to, string text)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/messages/{to.UserId}")
            {
                Content = System.Net.Http.Json.JsonContent.Create(Send([Envelope(1, 1234, text, type: 6)])),
            };
            request.Headers.Add("Unidentified-Access-Key", key);
            using var response = await _api.Http.SendAsync(request);
            return response.StatusCode;
        }

        // Bob's bucket holds 2; the address's holds 5, and the refused third send to Bob took one of them.
        var toBob = new[] { await SealedAsync(bob, "1"), await SealedAsync(bob, "2"), await SealedAsync(bob, "3") };
        var toCarol = new[] { await SealedAsync(carol, "1"), await SealedAsync(carol, "2") };
        var toDave = await SealedAsync(dave, "1");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], toBob);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], toCarol);
        Assert.Equal(HttpStatusCode.TooManyRequests, toDave);
        Assert.Equal(["1", "2"], (await _api.MailboxAsync(bob)).Select(Text));
        Assert.Empty(await _api.MailboxAsync(dave));
    }

    [Fact]
    public async Task Sends_to_many_recipients_stop_at_the_account_limit()
    {
        var alice = await _api.SignUpAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await _api.SendTextAsync(alice, await _api.SignUpAsync(), $"hello {i}")).Status);
        }
        var refused = await _api.SendTextAsync(alice, await _api.SignUpAsync(), "one more");

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5).Append(HttpStatusCode.TooManyRequests), statuses);
        AssertLimited(refused);
    }

    [Fact]
    public async Task Hub_sends_share_the_pair_bucket_with_REST_and_are_refused_with_rate_limited()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var request = Send(await EnvelopesForAsync(bob, "over the hub"));
        await using var aliceHub = await HubDevice.ConnectAsync(factory.BaseAddress, alice);

        await aliceHub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId, request);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(alice, bob, "over REST")).Status);
        await aliceHub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId, Send(await EnvelopesForAsync(bob, "live"), online: true));
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            aliceHub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId, request));

        Assert.StartsWith("rate_limited:", HubDevice.ServerMessage(refused), StringComparison.Ordinal);
        Assert.Equal(["over the hub", "over REST"], (await _api.MailboxAsync(bob)).Select(Text));
    }

    [Fact]
    public async Task Hub_room_sends_beyond_the_pair_limit_are_refused_and_store_nothing()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);
        var request = Send(await _api.RoomEnvelopesAsync(alice, "to the room", bob));
        await using var aliceHub = await HubDevice.ConnectAsync(factory.BaseAddress, alice);

        for (var i = 0; i < 3; i++)
        {
            await aliceHub.Connection.InvokeAsync<HubSendResult>("SendToRoom", roomId, request);
        }
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            aliceHub.Connection.InvokeAsync<HubSendResult>("SendToRoom", roomId, request));
        var refusedOverRest = await _api.SendToRoomAsync(alice, roomId, await _api.RoomEnvelopesAsync(alice, "over REST", bob));

        Assert.StartsWith("rate_limited:", HubDevice.ServerMessage(refused), StringComparison.Ordinal);
        AssertLimited(refusedOverRest);
        Assert.Equal(3, (await _api.MailboxAsync(bob)).Count);
    }

    [Fact]
    public async Task Hub_connects_beyond_the_device_limit_get_429_and_other_devices_still_connect()
    {
        var alice = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(alice);
        for (var i = 0; i < 2; i++)
        {
            await using var connected = await HubDevice.ConnectAsync(factory.BaseAddress, alice, negotiate: true);
        }

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() =>
            HubDevice.ConnectAsync(factory.BaseAddress, alice, negotiate: true));
        var refusedUpgrade = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() =>
            HubDevice.ConnectAsync(factory.BaseAddress, alice));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("'429'", refusedUpgrade.Message, StringComparison.Ordinal);
        await using var tabletHub = await HubDevice.ConnectAsync(factory.BaseAddress, tablet, negotiate: true);
    }

    [Fact]
    public async Task Acks_read_marks_and_typing_beyond_their_device_limits_are_refused_on_the_hub_and_REST()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);
        await using var bobHub = await HubDevice.ConnectAsync(factory.BaseAddress, bob);
        // Ids nobody has: acking or marking them changes nothing, but each call takes its permit.
        var none = new[] { Guid.NewGuid() };

        await bobHub.Connection.InvokeAsync("Ack", none);
        await bobHub.Connection.InvokeAsync("Ack", none);
        var ack = await Assert.ThrowsAsync<HubException>(() => bobHub.Connection.InvokeAsync("Ack", none));
        // The hub's acks are counted where the connection is; REST's, which may reach any instance, in their own bucket.
        var restAcks = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            restAcks.Add((await _api.PostAsync("/api/v1/messages/ack", new { ids = none }, bob.AccessToken)).Status);
        }
        var restAck = await _api.PostAsync("/api/v1/messages/ack", new { ids = none }, bob.AccessToken);
        await bobHub.Connection.InvokeAsync("MarkRead", none);
        await bobHub.Connection.InvokeAsync("MarkRead", none);
        var markRead = await Assert.ThrowsAsync<HubException>(() => bobHub.Connection.InvokeAsync("MarkRead", none));
        await bobHub.Connection.InvokeAsync("Typing", roomId.ToString(), true);
        await bobHub.Connection.InvokeAsync("Typing", roomId.ToString(), false);
        var typing = await Assert.ThrowsAsync<HubException>(() => bobHub.Connection.InvokeAsync("Typing", roomId.ToString(), true));

        foreach (var refused in new[] { ack, markRead, typing })
        {
            Assert.StartsWith("rate_limited:", HubDevice.ServerMessage(refused), StringComparison.Ordinal);
        }
        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NoContent], restAcks);
        AssertLimited(restAck);
    }

    [Fact]
    public async Task Key_uploads_beyond_the_device_limit_get_429_and_change_nothing()
    {
        var alice = await _api.SignUpAsync();
        await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 1, kyberCount: 1));
        await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 2, kyberCount: 2));

        var third = await _api.PutAsync("/api/v1/keys", TestKeys.Upload(alice, ecCount: 3, kyberCount: 3), alice.AccessToken);

        AssertLimited(third);
        Assert.Equal((2, 2), await _api.KeyCountAsync(alice));
    }

    [Fact]
    public async Task User_lookups_by_username_beyond_the_account_limit_get_429()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await _api.UploadKeysAsync(bob, TestKeys.Upload(bob, ecCount: 2, kyberCount: 2));

        var first = await _api.GetAsync($"/api/v1/users/{bob.Username}", alice.AccessToken);
        var keysByName = await _api.GetAsync($"/api/v1/keys/{bob.Username}/1", alice.AccessToken);
        var third = await _api.GetAsync($"/api/v1/users/{TestAccounts.UniqueUsername()}", alice.AccessToken);
        var keysById = await _api.GetAsync($"/api/v1/keys/{bob.UserId}/1", alice.AccessToken);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, keysByName.Status);
        // Refused before the lookup: an unknown name answers 429, not 404.
        AssertLimited(third);
        // A user id is not a lookup: it was learnt from a message or a room.
        Assert.Equal(HttpStatusCode.OK, keysById.Status);
    }

    [Fact]
    public async Task Room_creations_and_room_changes_beyond_the_account_limits_get_429()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var first = await _api.CreateRoomInvitingAsync(alice, bob);
        var second = await _api.CreateRoomInvitingAsync(alice, bob);
        var third = await _api.PostAsync("/api/v1/rooms", new { name = "third", memberIds = Array.Empty<Guid>() }, alice.AccessToken);

        Assert.Equal(HttpStatusCode.OK, (await _api.AcceptAsync(bob, first)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.DeclineAsync(bob, second)).Status);
        var thirdChange = await _api.DeleteAsync($"/api/v1/rooms/{first}/members/{bob.UserId}", bob.AccessToken);

        AssertLimited(third);
        AssertLimited(thirdChange);
        // bob is still in the room he could not leave.
        Assert.Equal([first], (await _api.GetAsync("/api/v1/rooms", bob.AccessToken)).Body!.AsArray()
            .Select(room => Guid.Parse(room!["roomId"]!.GetValue<string>())));
    }

    [Fact]
    public async Task Device_removals_reads_and_sender_certificates_beyond_their_account_limits_get_429()
    {
        var alice = await _api.SignUpAsync();
        await _api.LinkByPasswordAsync(alice, "tablet");
        var laptop = await _api.LinkByPasswordAsync(alice, "laptop");

        Assert.Equal(HttpStatusCode.NoContent, (await _api.DeleteAsync("/api/v1/devices/2", alice.AccessToken)).Status);
        var secondRemoval = await _api.DeleteAsync("/api/v1/devices/3", alice.AccessToken);
        var certificates = new[]
        {
            await _api.GetAsync("/api/v1/certificate/delivery", laptop.AccessToken),
            await _api.GetAsync("/api/v1/certificate/delivery", laptop.AccessToken),
            await _api.GetAsync("/api/v1/certificate/delivery", alice.AccessToken),
        };
        var reads = new List<ApiResponse>();
        for (var i = 0; i < 9; i++)
        {
            reads.Add(await _api.GetAsync(i % 2 == 0 ? "/api/v1/devices" : "/api/v1/auth/me", alice.AccessToken));
        }

        AssertLimited(secondRemoval);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], certificates[..2].Select(response => response.Status));
        AssertLimited(certificates[2]);
        Assert.All(reads[..8], response => Assert.Equal(HttpStatusCode.OK, response.Status));
        AssertLimited(reads[8]);
    }

    private async Task<List<object>> EnvelopesForAsync(TestDevice to, string text) =>
        [.. (await _api.DevicesAsync(to)).Select(d => Envelope(d.DeviceId, d.RegistrationId, text))];

    private static void AssertLimited(ApiResponse response)
    {
        Assert.True(response.Status == HttpStatusCode.TooManyRequests, response.ToString());
        Assert.Equal("rate_limited", response.Code);
        Assert.True(response.RetryAfter > TimeSpan.Zero);
    }
}
