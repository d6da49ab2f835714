using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Delivery;

/// <summary>Real-time delivery over /hubs/chat with a real WebSocket client, on each store (DESIGN §5.3).</summary>
public abstract class HubDeliveryTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    private Task<HubDevice> ConnectAsync(TestDevice device) => HubDevice.ConnectAsync(factory.BaseAddress, device);

    [Fact]
    public async Task Backlog_is_pushed_in_order_then_QueueEmpty()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        for (var i = 0; i < 12; i++)
        {
            await _api.SendTextAsync(alice, bob, $"m{i}");
        }

        await using var hub = await ConnectAsync(bob);
        await hub.WaitForQueueEmptyAsync();

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"m{i}"), hub.Texts());
    }

    [Fact]
    public async Task New_envelopes_are_pushed_as_they_commit()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await using var hub = await ConnectAsync(bob);
        await hub.WaitForQueueEmptyAsync();

        await _api.SendTextAsync(alice, bob, "live one");
        await _api.SendTextAsync(alice, bob, "live two");

        await hub.WaitForEnvelopesAsync(2);
        Assert.Equal(["live one", "live two"], hub.Texts());
    }

    [Fact]
    public async Task Unacked_envelopes_come_back_on_reconnect_in_order_and_acked_ones_never()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        for (var i = 0; i < 6; i++)
        {
            await _api.SendTextAsync(alice, bob, $"m{i}");
        }
        await using (var first = await ConnectAsync(bob))
        {
            await first.WaitForQueueEmptyAsync();
            await first.AckAsync(first.Envelopes.Where((_, i) => i % 2 == 0));
        }

        await using var second = await ConnectAsync(bob);
        await second.WaitForQueueEmptyAsync();

        Assert.Equal(["m1", "m3", "m5"], second.Texts());
    }

    [Fact]
    public async Task Send_over_the_hub_stores_and_delivers_like_rest()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var registration = (await _api.DevicesAsync(bob))[0].RegistrationId;
        await using var aliceHub = await ConnectAsync(alice);
        await using var bobHub = await ConnectAsync(bob);
        await bobHub.WaitForQueueEmptyAsync();

        var result = await aliceHub.Connection.InvokeAsync<HubSendResult>("Send",
            bob.UserId, Send([Envelope(1, registration, "over the hub")]));

        await bobHub.WaitForEnvelopesAsync(1);
        Assert.Equal(result.MessageId, bobHub.Envelopes[0].MessageId);
        Assert.Equal(["over the hub"], bobHub.Texts());
    }

    [Fact]
    public async Task Hub_send_with_missing_device_fails_with_the_code_first_and_stores_nothing()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await _api.LinkByPasswordAsync(bob);
        var registration = (await _api.DevicesAsync(bob))[0].RegistrationId;
        await using var aliceHub = await ConnectAsync(alice);

        var error = await Assert.ThrowsAsync<HubException>(() => aliceHub.Connection.InvokeAsync<HubSendResult>("Send",
            bob.UserId, Send([Envelope(1, registration, "x")])));

        Assert.StartsWith("mismatched_devices:", HubDevice.ServerMessage(error), StringComparison.Ordinal);
        Assert.Contains("\"missingDevices\":[2]", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Ack_sends_a_delivered_receipt_and_MarkRead_a_read_receipt_to_every_sender_device()
    {
        var alice = await _api.SignUpAsync();
        var aliceLaptop = await _api.LinkByPasswordAsync(alice, "laptop");
        var bob = await _api.SignUpAsync();
        await using var aliceHub = await ConnectAsync(alice);
        await using var laptopHub = await ConnectAsync(aliceLaptop);
        await using var bobHub = await ConnectAsync(bob);
        await bobHub.WaitForQueueEmptyAsync();
        var sent = await _api.SendTextAsync(alice, bob, "did you get it?");
        var messageId = sent.Text("messageId");
        await bobHub.WaitForEnvelopesAsync(1);

        await bobHub.AckAsync(bobHub.Envelopes);
        await bobHub.Connection.InvokeAsync("MarkRead", new[] { Guid.Parse(messageId) });

        foreach (var hub in new[] { aliceHub, laptopHub })
        {
            await hub.WaitForReceiptsAsync(2);
            Assert.Equal(["delivered", "read"], hub.Receipts.Select(r => r.Status));
            Assert.All(hub.Receipts, r => Assert.Equal(Guid.Parse(messageId), r.MessageId));
            Assert.All(hub.Receipts, r => Assert.Equal(bob.UserId, r.UserId));
        }
        var status = await _api.GetAsync($"/api/v1/messages/{messageId}/status", alice.AccessToken);
        Assert.Equal("read", status.Body!["recipients"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_second_connection_of_a_device_closes_the_first_with_a_reason()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await using var first = await ConnectAsync(bob);
        await first.WaitForQueueEmptyAsync();

        await using var second = await ConnectAsync(bob);
        await first.WaitForCloseAsync();
        await _api.SendTextAsync(alice, bob, "to the new one");

        Assert.Equal("connected_elsewhere", await first.WaitForRevokedAsync());
        await second.WaitForEnvelopesAsync(1);
        Assert.Empty(first.Envelopes);
    }

    [Fact]
    public async Task Removing_a_device_closes_its_live_connection()
    {
        var bob = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(bob);
        await using var tabletHub = await ConnectAsync(tablet);
        await tabletHub.WaitForQueueEmptyAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await _api.DeleteAsync($"/api/v1/devices/{tablet.DeviceId}", bob.AccessToken)).Status);

        await tabletHub.WaitForCloseAsync();
        Assert.Equal("device_removed", await tabletHub.WaitForRevokedAsync());
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => HubDevice.ConnectAsync(factory.BaseAddress, tablet, negotiate: true));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Logout_closes_the_live_connection()
    {
        var bob = await _api.SignUpAsync();
        await using var hub = await ConnectAsync(bob);
        await hub.WaitForQueueEmptyAsync();

        await _api.PostAsync("/api/v1/auth/logout", token: bob.AccessToken);

        await hub.WaitForCloseAsync();
        Assert.Equal("logged_out", await hub.WaitForRevokedAsync());
    }

    [Fact]
    public async Task Connecting_without_a_valid_token_is_refused()
    {
        var bob = await _api.SignUpAsync();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() =>
            HubDevice.ConnectAsync(factory.BaseAddress, bob with { AccessToken = "not-a-token" }, negotiate: true));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Online_only_send_reaches_connected_devices_and_is_never_stored()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var bobTablet = await _api.LinkByPasswordAsync(bob);
        await using var bobHub = await ConnectAsync(bob);
        await bobHub.WaitForQueueEmptyAsync();

        var sent = await _api.SendTextAsync(alice, bob, "typing-like", online: true);

        Assert.Equal(HttpStatusCode.OK, sent.Status);
        await bobHub.WaitForEnvelopesAsync(1);
        Assert.Equal(["typing-like"], bobHub.Texts());
        await using var tabletHub = await ConnectAsync(bobTablet);
        await tabletHub.WaitForQueueEmptyAsync();
        Assert.Empty(tabletHub.Envelopes);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Typing_reaches_a_mutual_contact_and_no_one_else()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var stranger = await _api.SignUpAsync();
        await _api.SendTextAsync(alice, bob, "hello");
        await _api.SendTextAsync(bob, alice, "hi");
        await using var aliceHub = await ConnectAsync(alice);
        await using var bobHub = await ConnectAsync(bob);

        await aliceHub.Connection.InvokeAsync("Typing", bob.UserId.ToString(), true);
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            aliceHub.Connection.InvokeAsync("Typing", stranger.UserId.ToString(), true));

        await bobHub.WaitUntilAsync(() => bobHub.TypingEvents.Count == 1, "a typing event");
        var typing = bobHub.TypingEvents[0];
        Assert.Equal(alice.UserId.ToString(), typing.ConversationId);
        Assert.True(typing.IsTyping);
        Assert.StartsWith("not_in_conversation:", HubDevice.ServerMessage(refused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Presence_goes_to_mutual_contacts_when_the_first_device_connects_and_the_last_leaves()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var bobTablet = await _api.LinkByPasswordAsync(bob);
        await _api.SendTextAsync(alice, bob, "hello");
        await _api.SendTextAsync(bob, alice, "hi");
        await using var aliceHub = await ConnectAsync(alice);

        var bobPhone = await ConnectAsync(bob);
        var bobTabletHub = await ConnectAsync(bobTablet);
        // Invocations run only after OnConnectedAsync, so a round trip on each proves both are counted.
        await bobPhone.Connection.InvokeAsync("MarkRead", new[] { Guid.NewGuid() });
        await bobTabletHub.Connection.InvokeAsync("MarkRead", new[] { Guid.NewGuid() });
        await aliceHub.WaitUntilAsync(() => aliceHub.PresenceEvents.Count >= 1, "online presence");
        await bobPhone.DisposeAsync();
        await bobTabletHub.DisposeAsync();
        await aliceHub.WaitUntilAsync(() => aliceHub.PresenceEvents.Count >= 2, "offline presence");

        Assert.Equal([true, false], aliceHub.PresenceEvents.Select(p => p.Online));
        Assert.All(aliceHub.PresenceEvents, p => Assert.Equal(bob.UserId, p.UserId));
    }

    [Fact]
    public async Task A_stranger_who_sent_one_message_hears_no_presence_and_may_not_type_until_the_recipient_replies()
    {
        var alice = await _api.SignUpAsync();
        var mallory = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        await _api.SendTextAsync(mallory, alice, "hello from a stranger");
        // Carol is mallory's mutual contact: her typing marks the point by which anything sent to mallory before has arrived.
        await _api.SendTextAsync(mallory, carol, "hi");
        await _api.SendTextAsync(carol, mallory, "hi");
        await using var carolHub = await ConnectAsync(carol);
        await carolHub.WaitForQueueEmptyAsync();
        await using var malloryHub = await ConnectAsync(mallory);
        await malloryHub.WaitForQueueEmptyAsync();

        var aliceHub = await ConnectAsync(alice);
        await aliceHub.WaitForQueueEmptyAsync();
        var malloryTypes = await Assert.ThrowsAsync<HubException>(() =>
            malloryHub.Connection.InvokeAsync("Typing", alice.UserId.ToString(), true));
        var aliceTypes = await Assert.ThrowsAsync<HubException>(() =>
            aliceHub.Connection.InvokeAsync("Typing", mallory.UserId.ToString(), true));
        await carolHub.Connection.InvokeAsync("Typing", mallory.UserId.ToString(), true);
        await malloryHub.WaitUntilAsync(() => malloryHub.TypingEvents.Count == 1, "carol's marker");
        var presenceBeforeReply = malloryHub.PresenceEvents.Count(p => p.UserId == alice.UserId);

        await _api.SendTextAsync(alice, mallory, "who are you?");
        await aliceHub.DisposeAsync();
        await malloryHub.WaitUntilAsync(() => malloryHub.PresenceEvents.Any(p => p.UserId == alice.UserId),
            "alice's presence after her reply");
        await using var aliceAgain = await ConnectAsync(alice);
        await aliceAgain.WaitForQueueEmptyAsync();
        await malloryHub.Connection.InvokeAsync("Typing", alice.UserId.ToString(), true);
        await aliceAgain.WaitUntilAsync(() => aliceAgain.TypingEvents.Count == 1, "mallory typing after the reply");

        Assert.StartsWith("not_in_conversation:", HubDevice.ServerMessage(malloryTypes), StringComparison.Ordinal);
        Assert.StartsWith("not_in_conversation:", HubDevice.ServerMessage(aliceTypes), StringComparison.Ordinal);
        Assert.Equal(0, presenceBeforeReply);
        Assert.False(malloryHub.PresenceEvents.First(p => p.UserId == alice.UserId).Online);
        Assert.Equal(mallory.UserId, aliceAgain.TypingEvents[0].UserId);
    }

    [Fact]
    public async Task Ttl_expired_envelope_is_not_pushed_on_connect()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var sent = await _api.SendTextAsync(alice, bob, "short-lived", ttlSeconds: 1);
        await _api.SendTextAsync(alice, bob, "kept");
        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(sent.Body!["serverTimestamp"]!.GetValue<long>() + 1000);
        await E2eeChat.Testing.Processes.Wait.UntilAsync(() => DateTimeOffset.UtcNow > expiresAt, TimeSpan.FromSeconds(10), "the TTL to pass");

        await using var hub = await ConnectAsync(bob);
        await hub.WaitForQueueEmptyAsync();

        Assert.Equal(["kept"], hub.Texts());
    }

    [Fact]
    public async Task Acks_of_many_devices_reach_the_sender_as_one_receipt_per_envelope()
    {
        var alice = await _api.SignUpAsync();
        var members = new[] { await _api.SignUpAsync(), await _api.SignUpAsync(), await _api.SignUpAsync() };
        var roomId = await RoomCalls.CreateRoomAsync(_api, alice, members);
        await using var aliceHub = await ConnectAsync(alice);
        var memberHubs = await Task.WhenAll(members.Select(ConnectAsync));
        var messageIds = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            var sent = await RoomCalls.SendTextToRoomAsync(_api, alice, roomId, $"m{i}", [alice, .. members]);
            messageIds.Add(Guid.Parse(sent.Text("messageId")));
        }

        await Task.WhenAll(memberHubs.Select(async hub =>
        {
            await hub.WaitForEnvelopesAsync(4);
            await hub.AckAsync(hub.Envelopes);
        }));
        await aliceHub.WaitForReceiptsAsync(12);
        // Receipts go out in order: once the read receipt is here, a repeated delivered one would be too.
        await memberHubs[0].Connection.InvokeAsync("MarkRead", new[] { messageIds[0] });
        await aliceHub.WaitUntilAsync(() => aliceHub.Receipts.Any(r => r.Status == "read"), "the read receipt");

        var delivered = aliceHub.Receipts.Where(r => r.Status == "delivered").Select(r => (r.MessageId, r.UserId, r.DeviceId)).ToArray();
        Assert.Equal(12, delivered.Length);
        Assert.Equal(
            messageIds.SelectMany(m => members.Select(u => (m, u.UserId, 1))).Order(),
            delivered.Order());
        Assert.InRange(aliceHub.ReceiptEvents, 2, 13);
        foreach (var hub in memberHubs)
        {
            await hub.DisposeAsync();
        }
    }
}

public sealed class SqliteHubDeliveryTests(SqliteServerFactory factory) : HubDeliveryTests<SqliteServerFactory>(factory);

public sealed class PostgresHubDeliveryTests(PostgresServerFactory factory) : HubDeliveryTests<PostgresServerFactory>(factory);
