using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Messages;

/// <summary>Sends, mailbox polling, acks and statuses over REST, on each store (DESIGN §5).</summary>
public abstract class MessageApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Send_reaches_every_destination_device_in_order()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var bobTablet = await _api.LinkByPasswordAsync(bob);

        var first = await _api.SendTextAsync(alice, bob, "one");
        var second = await _api.SendTextAsync(alice, bob, "two");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.False(first.Body!["needsSync"]!.GetValue<bool>());
        foreach (var device in new[] { bob, bobTablet })
        {
            var mailbox = await _api.MailboxAsync(device);
            Assert.Equal(["one", "two"], mailbox.Select(Text));
            Assert.Equal(first.Text("messageId"), mailbox[0]!["messageId"]!.GetValue<string>());
            Assert.Equal(alice.UserId.ToString(), mailbox[0]!["sourceUserId"]!.GetValue<string>());
            Assert.Equal(1, mailbox[0]!["sourceDeviceId"]!.GetValue<int>());
            Assert.Equal(device.DeviceId, mailbox[0]!["destinationDeviceId"]!.GetValue<int>());
            Assert.Equal(2, mailbox[0]!["type"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Send_with_missing_device_returns_409_and_stores_nothing()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var bobTablet = await _api.LinkByPasswordAsync(bob);
        var devices = await _api.DevicesAsync(bob);

        var response = await _api.PutAsync($"/api/v1/messages/{bob.UserId}",
            Send([Envelope(1, devices[0].RegistrationId, "hi")]), alice.AccessToken);

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("mismatched_devices", response.Code);
        Assert.Equal([bobTablet.DeviceId], response.Body!["missingDevices"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Empty(response.Body!["extraDevices"]!.AsArray());
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Send_to_a_device_that_does_not_exist_returns_409_with_extra_devices()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var devices = await _api.DevicesAsync(bob);

        var response = await _api.PutAsync($"/api/v1/messages/{bob.UserId}",
            Send([Envelope(1, devices[0].RegistrationId, "hi"), Envelope(4, 77, "hi")]), alice.AccessToken);

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal([4], response.Body!["extraDevices"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Send_with_stale_registration_id_returns_410_and_stores_nothing()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var devices = await _api.DevicesAsync(bob);

        var response = await _api.PutAsync($"/api/v1/messages/{bob.UserId}",
            Send([Envelope(1, devices[0].RegistrationId + 1, "hi")]), alice.AccessToken);

        Assert.Equal(HttpStatusCode.Gone, response.Status);
        Assert.Equal("stale_devices", response.Code);
        Assert.Equal([1], response.Body!["staleDevices"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Retry_with_same_message_id_returns_the_first_result_and_stores_once()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var key = Guid.NewGuid().ToString();

        var first = await _api.SendTextAsync(alice, bob, "once", messageId: key);
        var retry = await _api.SendTextAsync(alice, bob, "once", messageId: key);

        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal(first.Text("messageId"), retry.Text("messageId"));
        Assert.Equal(first.Body!["serverTimestamp"]!.GetValue<long>(), retry.Body!["serverTimestamp"]!.GetValue<long>());
        Assert.Single(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Sending_to_your_own_account_covers_your_other_devices_and_needs_sync()
    {
        var alice = await _api.SignUpAsync();
        var laptop = await _api.LinkByPasswordAsync(alice, "laptop");
        var devices = await _api.DevicesAsync(alice);

        var sync = await _api.SendTextAsync(alice, alice, "note to self");
        var includingSelf = await _api.PutAsync($"/api/v1/messages/{alice.UserId}",
            Send(devices.Select(d => Envelope(d.DeviceId, d.RegistrationId, "x"))), alice.AccessToken);
        var toBob = await _api.SendTextAsync(alice, await _api.SignUpAsync(), "hi");

        Assert.Equal(HttpStatusCode.OK, sync.Status);
        Assert.True(sync.Body!["needsSync"]!.GetValue<bool>());
        Assert.True(toBob.Body!["needsSync"]!.GetValue<bool>());
        Assert.Equal(["note to self"], (await _api.MailboxAsync(laptop)).Select(Text));
        Assert.Empty(await _api.MailboxAsync(alice));
        Assert.Equal(HttpStatusCode.Conflict, includingSelf.Status);
        Assert.Equal([1], includingSelf.Body!["extraDevices"]!.AsArray().Select(d => d!.GetValue<int>()));
    }

    [Fact]
    public async Task Acked_envelope_never_comes_back_and_unacked_ones_stay_in_order()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        for (var i = 0; i < 5; i++)
        {
            await _api.SendTextAsync(alice, bob, $"m{i}");
        }
        var mailbox = await _api.MailboxAsync(bob);

        var ack = await _api.PostAsync("/api/v1/messages/ack",
            new { ids = new[] { mailbox[1]!["id"]!.GetValue<string>(), mailbox[3]!["id"]!.GetValue<string>() } }, bob.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, ack.Status);
        Assert.Equal(["m0", "m2", "m4"], (await _api.MailboxAsync(bob)).Select(Text));
    }

    [Fact]
    public async Task Mailbox_pages_with_limit_and_more()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        for (var i = 0; i < 3; i++)
        {
            await _api.SendTextAsync(alice, bob, $"m{i}");
        }

        var page = await _api.GetAsync("/api/v1/messages?limit=2", bob.AccessToken);
        var all = await _api.GetAsync("/api/v1/messages?limit=3", bob.AccessToken);
        var bad = await _api.GetAsync("/api/v1/messages?limit=0", bob.AccessToken);

        Assert.Equal(2, page.Body!["envelopes"]!.AsArray().Count);
        Assert.True(page.Body!["more"]!.GetValue<bool>());
        Assert.False(all.Body!["more"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
    }

    [Fact]
    public async Task A_device_cannot_ack_another_devices_envelopes()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var bobTablet = await _api.LinkByPasswordAsync(bob);
        var mallory = await _api.SignUpAsync();
        await _api.SendTextAsync(alice, bob, "private");
        var tabletEnvelope = (await _api.MailboxAsync(bobTablet))[0]!["id"]!.GetValue<string>();

        var byOtherDevice = await _api.PostAsync("/api/v1/messages/ack", new { ids = new[] { tabletEnvelope } }, bob.AccessToken);
        var byOtherUser = await _api.PostAsync("/api/v1/messages/ack", new { ids = new[] { tabletEnvelope } }, mallory.AccessToken);

        // Ids that are not the caller's are ignored, not revealed: the same 204 as a real ack, and nothing deleted.
        Assert.Equal(HttpStatusCode.NoContent, byOtherDevice.Status);
        Assert.Equal(HttpStatusCode.NoContent, byOtherUser.Status);
        Assert.Equal(["private"], (await _api.MailboxAsync(bobTablet)).Select(Text));
    }

    [Fact]
    public async Task Ttl_expired_envelope_never_arrives()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();

        var sent = await _api.SendTextAsync(alice, bob, "ephemeral", ttlSeconds: 1);
        await _api.SendTextAsync(alice, bob, "durable");
        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(sent.Body!["serverTimestamp"]!.GetValue<long>() + 1000);
        Assert.Equal(2, (await _api.MailboxAsync(bob)).Count);
        await Wait.UntilAsync(() => DateTimeOffset.UtcNow > expiresAt, TimeSpan.FromSeconds(10), "the TTL to pass");

        Assert.Equal(["durable"], (await _api.MailboxAsync(bob)).Select(Text));
    }

    [Fact]
    public async Task Online_only_send_is_never_stored()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();

        var sent = await _api.SendTextAsync(alice, bob, "are you there?", online: true);

        Assert.Equal(HttpStatusCode.OK, sent.Status);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Status_shows_each_destination_device_to_the_sender_only()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var bobTablet = await _api.LinkByPasswordAsync(bob);
        var sent = await _api.SendTextAsync(alice, bob, "track me");
        var messageId = sent.Text("messageId");
        var envelope = (await _api.MailboxAsync(bob))[0]!["id"]!.GetValue<string>();
        await _api.PostAsync("/api/v1/messages/ack", new { ids = new[] { envelope } }, bob.AccessToken);

        var status = await _api.GetAsync($"/api/v1/messages/{messageId}/status", alice.AccessToken);
        var asBob = await _api.GetAsync($"/api/v1/messages/{messageId}/status", bob.AccessToken);

        Assert.Equal(HttpStatusCode.OK, status.Status);
        var recipients = status.Body!["recipients"]!.AsArray().OrderBy(r => r!["deviceId"]!.GetValue<int>()).ToArray();
        Assert.Equal(["delivered", "sent"], recipients.Select(r => r!["status"]!.GetValue<string>()));
        Assert.Equal([1, bobTablet.DeviceId], recipients.Select(r => r!["deviceId"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.NotFound, asBob.Status);
        Assert.Equal("message_not_found", asBob.Code);
    }

    [Fact]
    public async Task Removed_device_loses_its_mailbox_and_senders_must_stop_addressing_it()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var bobTablet = await _api.LinkByPasswordAsync(bob);
        await _api.SendTextAsync(alice, bob, "before");
        Assert.Equal(["before"], (await _api.MailboxAsync(bobTablet)).Select(Text));
        var registration = (await _api.DevicesAsync(bob))[0].RegistrationId;

        var removal = await _api.DeleteAsync($"/api/v1/devices/{bobTablet.DeviceId}", bob.AccessToken);
        var stale = await _api.PutAsync($"/api/v1/messages/{bob.UserId}",
            Send([Envelope(1, registration, "x"), Envelope(bobTablet.DeviceId, 4321, "x")]), alice.AccessToken);
        // The id is free again: the next device linked gets it, and must not inherit what was left for the old one.
        var nextTablet = await _api.LinkByPasswordAsync(bob);

        Assert.Equal(HttpStatusCode.NoContent, removal.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync("/api/v1/messages", bobTablet.AccessToken)).Status);
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Equal([bobTablet.DeviceId], stale.Body!["extraDevices"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Equal(bobTablet.DeviceId, nextTablet.DeviceId);
        Assert.Empty(await _api.MailboxAsync(nextTablet));
        Assert.Equal(["before"], (await _api.MailboxAsync(bob)).Select(Text));
    }
}

public sealed class SqliteMessageApiTests(SqliteServerFactory factory) : MessageApiTests<SqliteServerFactory>(factory);

public sealed class PostgresMessageApiTests(PostgresServerFactory factory) : MessageApiTests<PostgresServerFactory>(factory);
