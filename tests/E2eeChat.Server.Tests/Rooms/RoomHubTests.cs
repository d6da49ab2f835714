using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;
using static E2eeChat.Server.Tests.Infrastructure.RoomCalls;

namespace E2eeChat.Server.Tests.Rooms;

/// <summary>Rooms over /hubs/chat with a real WebSocket client, on each store: SendToRoom, RoomEvent, typing, presence.</summary>
public abstract class RoomHubTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task SendToRoom_delivers_to_every_member_device_with_the_room_id()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var bobTablet = await _api.LinkByPasswordAsync(bob);
        var roomId = await _api.CreateRoomAsync(alice, bob);
        await using var aliceHub = await ConnectAsync(alice);
        await using var bobHub = await ConnectAsync(bob);
        await using var tabletHub = await ConnectAsync(bobTablet);

        var result = await aliceHub.Connection.InvokeAsync<HubSendResult>("SendToRoom",
            roomId, Send(await _api.RoomEnvelopesAsync(alice, "over the hub", bob)));

        foreach (var hub in new[] { bobHub, tabletHub })
        {
            await hub.WaitForEnvelopesAsync(1);
            Assert.Equal(["over the hub"], hub.Texts());
            Assert.Equal(roomId, hub.Envelopes[0].RoomId);
            Assert.Equal(result.MessageId, hub.Envelopes[0].MessageId);
        }
    }

    [Fact]
    public async Task SendToRoom_by_a_non_member_fails_with_room_not_found_and_stores_nothing()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var mallory = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);
        await using var malloryHub = await ConnectAsync(mallory);
        var request = Send(await _api.RoomEnvelopesAsync(mallory, "spam", alice, bob));

        var error = await Assert.ThrowsAsync<HubException>(() => malloryHub.Connection.InvokeAsync<HubSendResult>("SendToRoom",
            roomId, request));

        Assert.StartsWith("room_not_found:", HubDevice.ServerMessage(error), StringComparison.Ordinal);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task SendToRoom_missing_a_device_fails_with_the_per_member_lists_and_stores_nothing()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob, carol);
        await using var aliceHub = await ConnectAsync(alice);
        var request = Send(await _api.RoomEnvelopesAsync(alice, "x", bob));

        var error = await Assert.ThrowsAsync<HubException>(() => aliceHub.Connection.InvokeAsync<HubSendResult>("SendToRoom",
            roomId, request));

        Assert.StartsWith("mismatched_devices:", HubDevice.ServerMessage(error), StringComparison.Ordinal);
        Assert.Contains($"\"userId\":\"{carol.UserId}\",\"missingDevices\":[1]", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Membership_changes_reach_every_members_devices_including_the_removed_member()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var bobTablet = await _api.LinkByPasswordAsync(bob);
        var carol = await _api.SignUpAsync();
        await using var aliceHub = await ConnectAsync(alice);
        await using var bobHub = await ConnectAsync(bob);
        await using var tabletHub = await ConnectAsync(bobTablet);
        await using var carolHub = await ConnectAsync(carol);

        var roomId = await _api.CreateRoomAsync(alice, bob);
        await _api.InviteAsync(alice, roomId, carol);
        await _api.AcceptAsync(carol, roomId);
        await _api.SendAsync(HttpMethod.Patch, $"/api/v1/rooms/{roomId}",
            System.Net.Http.Json.JsonContent.Create(new { name = "renamed" }), alice.AccessToken);
        await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{bob.UserId}", alice.AccessToken);
        await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{carol.UserId}", carol.AccessToken);
        await _api.DeleteAsync($"/api/v1/rooms/{roomId}", alice.AccessToken);

        await aliceHub.WaitUntilAsync(() => aliceHub.RoomEvents.Count == 9, "nine room events");
        Assert.Equal([("created", null), ("invited", bob.UserId), ("joined", bob.UserId), ("invited", carol.UserId),
            ("joined", carol.UserId), ("renamed", null), ("removed", bob.UserId), ("left", carol.UserId), ("deleted", null)], Kinds(aliceHub));
        Assert.Equal("renamed", aliceHub.RoomEvents[5].Name);
        Assert.Equal([alice.UserId, alice.UserId, alice.UserId], aliceHub.RoomEvents.Where(e => e.ByUserId is not null)
            .Select(e => e.ByUserId!.Value));
        Assert.All(aliceHub.RoomEvents, e => Assert.Equal(roomId, e.RoomId));
        foreach (var hub in new[] { bobHub, tabletHub })
        {
            await hub.WaitUntilAsync(() => hub.RoomEvents.Count == 6, "bob's six room events");
            Assert.Equal([("invited", bob.UserId), ("joined", bob.UserId), ("invited", carol.UserId), ("joined", carol.UserId),
                ("renamed", null), ("removed", bob.UserId)], Kinds(hub));
        }
        await carolHub.WaitUntilAsync(() => carolHub.RoomEvents.Count == 5, "carol's five room events");
        Assert.Equal([("invited", carol.UserId), ("joined", carol.UserId), ("renamed", null), ("removed", bob.UserId),
            ("left", carol.UserId)], Kinds(carolHub));
    }

    [Fact]
    public async Task An_invitee_hears_the_invitation_with_the_room_name_and_who_invited_and_hears_it_end()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        await using var aliceHub = await ConnectAsync(alice);
        await using var bobHub = await ConnectAsync(bob);
        await using var carolHub = await ConnectAsync(carol);

        var roomId = await _api.CreateRoomInvitingAsync(alice, bob);
        await bobHub.WaitUntilAsync(() => bobHub.RoomEvents.Count == 1, "the invitation");
        await _api.DeclineAsync(bob, roomId);
        await _api.InviteAsync(alice, roomId, carol);
        await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{carol.UserId}", alice.AccessToken);
        await _api.InviteAsync(alice, roomId, bob);
        await _api.DeleteAsync($"/api/v1/rooms/{roomId}", alice.AccessToken);

        var invited = bobHub.RoomEvents[0];
        Assert.Equal("invited", invited.Kind);
        Assert.Equal("team", invited.Name);
        Assert.Equal(bob.UserId, invited.UserId);
        Assert.Equal(alice.UserId, invited.ByUserId);
        await bobHub.WaitUntilAsync(() => bobHub.RoomEvents.Count == 4, "bob's four room events");
        Assert.Equal([("invited", bob.UserId), ("declined", bob.UserId), ("invited", bob.UserId), ("deleted", null)], Kinds(bobHub));
        await carolHub.WaitUntilAsync(() => carolHub.RoomEvents.Count == 2, "carol's two room events");
        Assert.Equal([("invited", carol.UserId), ("uninvited", carol.UserId)], Kinds(carolHub));
        Assert.Equal(alice.UserId, carolHub.RoomEvents[1].ByUserId);
        await aliceHub.WaitUntilAsync(() => aliceHub.RoomEvents.Count == 7, "alice's seven room events");
        Assert.Equal([("created", null), ("invited", bob.UserId), ("declined", bob.UserId), ("invited", carol.UserId),
            ("uninvited", carol.UserId), ("invited", bob.UserId), ("deleted", null)], Kinds(aliceHub));
    }

    [Fact]
    public async Task Last_admin_leaving_tells_the_members_who_was_promoted()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);
        await using var bobHub = await ConnectAsync(bob);

        await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{alice.UserId}", alice.AccessToken);

        await bobHub.WaitUntilAsync(() => bobHub.RoomEvents.Count == 2, "left and promoted");
        Assert.Equal([("left", alice.UserId), ("promoted", bob.UserId)], Kinds(bobHub));
    }

    [Fact]
    public async Task A_removed_member_gets_none_of_the_rooms_later_envelopes()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob, carol);
        await using var carolHub = await ConnectAsync(carol);
        await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{carol.UserId}", alice.AccessToken);

        var toRoom = await _api.SendTextToRoomAsync(alice, roomId, "after removal", bob);
        // Pushed in mailbox order: had the room send reached carol, it would come before this.
        await _api.SendTextAsync(alice, carol, "direct marker");

        Assert.Equal(HttpStatusCode.OK, toRoom.Status);
        await carolHub.WaitForEnvelopesAsync(1);
        Assert.Equal(["direct marker"], carolHub.Texts());
    }

    [Fact]
    public async Task Typing_in_a_room_reaches_the_other_members_and_a_non_member_is_refused()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var mallory = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);
        await using var aliceHub = await ConnectAsync(alice);
        await using var bobHub = await ConnectAsync(bob);
        await using var malloryHub = await ConnectAsync(mallory);

        await aliceHub.Connection.InvokeAsync("Typing", roomId.ToString(), true);
        var refused = await Assert.ThrowsAsync<HubException>(() => malloryHub.Connection.InvokeAsync("Typing", roomId.ToString(), true));

        await bobHub.WaitUntilAsync(() => bobHub.TypingEvents.Count == 1, "a typing event");
        var typing = bobHub.TypingEvents[0];
        Assert.Equal(roomId.ToString(), typing.ConversationId);
        Assert.Equal(alice.UserId, typing.UserId);
        Assert.StartsWith("not_in_conversation:", HubDevice.ServerMessage(refused), StringComparison.Ordinal);
        // Events for alice's connection are written before her Typing call completes: she was not told.
        Assert.Empty(aliceHub.TypingEvents);
    }

    [Fact]
    public async Task Presence_goes_to_users_who_share_only_a_room()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await _api.CreateRoomAsync(alice, bob);
        await using var aliceHub = await ConnectAsync(alice);

        var bobHub = await ConnectAsync(bob);
        await aliceHub.WaitUntilAsync(() => aliceHub.PresenceEvents.Count >= 1, "online presence");
        await bobHub.DisposeAsync();
        await aliceHub.WaitUntilAsync(() => aliceHub.PresenceEvents.Count >= 2, "offline presence");

        Assert.Equal([true, false], aliceHub.PresenceEvents.Select(p => p.Online));
        Assert.All(aliceHub.PresenceEvents, p => Assert.Equal(bob.UserId, p.UserId));
    }

    [Fact]
    public async Task An_invitee_hears_no_presence_or_typing_through_the_room_until_accepting()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        // Carol is a mutual contact of both: her typing marks the point by which anything sent before has arrived.
        await MutualContactsAsync(carol, alice);
        await MutualContactsAsync(carol, bob);
        var roomId = await _api.CreateRoomInvitingAsync(alice, bob);
        await using var carolHub = await ConnectAsync(carol);
        await using var aliceHub = await ConnectAsync(alice);

        var bobHub = await ConnectAsync(bob);
        await aliceHub.Connection.InvokeAsync("Typing", roomId.ToString(), true);
        var refused = await Assert.ThrowsAsync<HubException>(() => bobHub.Connection.InvokeAsync("Typing", roomId.ToString(), true));
        await carolHub.Connection.InvokeAsync("Typing", alice.UserId.ToString(), true);
        await carolHub.Connection.InvokeAsync("Typing", bob.UserId.ToString(), true);
        await aliceHub.WaitUntilAsync(() => aliceHub.TypingEvents.Count == 1, "carol's marker");
        await bobHub.WaitUntilAsync(() => bobHub.TypingEvents.Count == 1, "carol's marker");
        var aliceHeardOfBob = aliceHub.PresenceEvents.Count(p => p.UserId == bob.UserId);
        var bobHeardTyping = bobHub.TypingEvents.Select(t => t.ConversationId).ToArray();

        await _api.AcceptAsync(bob, roomId);
        await bobHub.DisposeAsync();
        await aliceHub.WaitUntilAsync(() => aliceHub.PresenceEvents.Any(p => p.UserId == bob.UserId),
            "bob's presence once he is a member");
        await using var bobAgain = await ConnectAsync(bob);
        await bobAgain.Connection.InvokeAsync("Typing", roomId.ToString(), true);
        await aliceHub.WaitUntilAsync(() => aliceHub.TypingEvents.Count == 2, "bob typing in the room");

        Assert.StartsWith("not_in_conversation:", HubDevice.ServerMessage(refused), StringComparison.Ordinal);
        Assert.Equal(0, aliceHeardOfBob);
        Assert.Equal([carol.UserId.ToString()], bobHeardTyping);
        Assert.Equal(roomId.ToString(), aliceHub.TypingEvents[1].ConversationId);
        Assert.Equal(bob.UserId, aliceHub.TypingEvents[1].UserId);
    }

    private async Task MutualContactsAsync(TestDevice one, TestDevice other)
    {
        Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(one, other, "hi")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(other, one, "hi")).Status);
    }

    /// <summary>Connected, with its backlog drained, so it is registered for events before the test acts.</summary>
    private async Task<HubDevice> ConnectAsync(TestDevice device)
    {
        var hub = await HubDevice.ConnectAsync(factory.BaseAddress, device);
        await hub.WaitForQueueEmptyAsync();
        return hub;
    }

    private static (string Kind, Guid? UserId)[] Kinds(HubDevice hub) =>
        hub.RoomEvents.Select(e => (e.Kind, e.UserId)).ToArray();
}

public sealed class SqliteRoomHubTests(SqliteServerFactory factory) : RoomHubTests<SqliteServerFactory>(factory);

public sealed class PostgresRoomHubTests(PostgresServerFactory factory) : RoomHubTests<PostgresServerFactory>(factory);
