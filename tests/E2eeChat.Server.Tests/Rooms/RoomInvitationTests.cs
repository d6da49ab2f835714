using System.Net;
using E2eeChat.Domain.Rooms;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.RoomCalls;

namespace E2eeChat.Server.Tests.Rooms;

/// <summary>Membership needs consent (DESIGN §6, §8b): invitations over REST, on each store.</summary>
public abstract class RoomInvitationTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Rooms_a_stranger_creates_with_you_and_leaves_do_not_use_up_your_room_limit()
    {
        var victim = await _api.SignUpAsync();
        var mallory = await _api.SignUpAsync();
        var friend = await _api.SignUpAsync();
        // Issue 13.5: a room "with" the victim, left at once by its creator, as many times as the victim may have rooms.
        var rooms = new RoomOptions().MaxRoomsPerUser;
        for (var i = 0; i < rooms; i++)
        {
            var created = await _api.PostAsync("/api/v1/rooms", new { name = "spam", memberIds = new[] { victim.UserId } },
                mallory.AccessToken);
            Assert.Equal(HttpStatusCode.Created, created.Status);
            var left = await _api.DeleteAsync($"/api/v1/rooms/{created.Text("roomId")}/members/{mallory.UserId}", mallory.AccessToken);
            Assert.Equal(HttpStatusCode.NoContent, left.Status);
        }

        var own = await _api.PostAsync("/api/v1/rooms", new { name = "mine", memberIds = Array.Empty<Guid>() }, victim.AccessToken);
        var friends = await _api.CreateRoomInvitingAsync(friend, victim);
        var joined = await _api.AcceptAsync(victim, friends);

        Assert.Equal(HttpStatusCode.Created, own.Status);
        Assert.Equal(HttpStatusCode.OK, joined.Status);
        Assert.Equal([own.Text("roomId"), friends.ToString()], (await _api.GetAsync("/api/v1/rooms", victim.AccessToken)).Body!.AsArray()
            .Select(r => r!["roomId"]!.GetValue<string>()));
        // Leaving deleted each room, and its invitation with it.
        Assert.Empty(await _api.InvitedRoomsAsync(victim));
    }

    [Fact]
    public async Task An_invitee_sees_the_invitation_and_nothing_else_of_the_room()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomInvitingAsync(alice, bob);

        var invitations = await _api.GetAsync("/api/v1/rooms/invitations", bob.AccessToken);
        var room = await _api.GetAsync($"/api/v1/rooms/{roomId}", bob.AccessToken);
        var members = await _api.GetAsync($"/api/v1/rooms/{roomId}/members", bob.AccessToken);
        var send = await _api.SendTextToRoomAsync(bob, roomId, "hi", alice, bob);
        var rename = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/rooms/{roomId}",
            System.Net.Http.Json.JsonContent.Create(new { name = "bob's" }), bob.AccessToken);
        var leave = await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{bob.UserId}", bob.AccessToken);

        Assert.Equal(HttpStatusCode.OK, invitations.Status);
        var invitation = Assert.Single(invitations.Body!.AsArray());
        Assert.Equal(roomId.ToString(), invitation!["roomId"]!.GetValue<string>());
        Assert.Equal("team", invitation["name"]!.GetValue<string>());
        Assert.Equal("member", invitation["role"]!.GetValue<string>());
        Assert.Equal(alice.UserId.ToString(), invitation["invitedBy"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParse(invitation["invitedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.All([room, members, send, rename, leave], r =>
        {
            Assert.Equal(HttpStatusCode.NotFound, r.Status);
            Assert.Equal("room_not_found", r.Code);
        });
        Assert.Empty((await _api.GetAsync("/api/v1/rooms", bob.AccessToken)).Body!.AsArray());
        Assert.Empty(await _api.MailboxAsync(alice));
    }

    [Fact]
    public async Task Accepting_makes_the_invitee_a_member_with_the_role_offered()
    {
        var alice = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.InviteAsync(alice, roomId, carol, role: "admin")).Status);

        var accepted = await _api.AcceptAsync(carol, roomId);
        var again = await _api.AcceptAsync(carol, roomId);
        var rename = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/rooms/{roomId}",
            System.Net.Http.Json.JsonContent.Create(new { name = "carol's" }), carol.AccessToken);

        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal(roomId.ToString(), accepted.Text("roomId"));
        Assert.Equal([(alice.UserId.ToString(), "admin"), (carol.UserId.ToString(), "admin")], Roles(accepted));
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
        Assert.Equal("invitation_not_found", again.Code);
        Assert.Equal(HttpStatusCode.OK, rename.Status);
        Assert.Empty(await _api.InvitedRoomsAsync(carol));
    }

    [Fact]
    public async Task Declining_drops_the_invitation_and_leaves_the_room_as_it_was()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomInvitingAsync(alice, bob);

        var declined = await _api.DeclineAsync(bob, roomId);
        var accept = await _api.AcceptAsync(bob, roomId);
        var declineAgain = await _api.DeclineAsync(bob, roomId);

        Assert.Equal(HttpStatusCode.NoContent, declined.Status);
        Assert.All([accept, declineAgain], r =>
        {
            Assert.Equal(HttpStatusCode.NotFound, r.Status);
            Assert.Equal("invitation_not_found", r.Code);
        });
        Assert.Empty(await _api.InvitedRoomsAsync(bob));
        var room = await _api.GetAsync($"/api/v1/rooms/{roomId}", alice.AccessToken);
        Assert.Equal([(alice.UserId.ToString(), "admin")], Roles(room));
        Assert.Empty(room.Body!["invitations"]!.AsArray());
    }

    [Fact]
    public async Task Accept_or_decline_without_an_invitation_returns_404_invitation_not_found()
    {
        var alice = await _api.SignUpAsync();
        var mallory = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice);

        var responses = new[]
        {
            await _api.AcceptAsync(mallory, roomId), await _api.DeclineAsync(mallory, roomId),
            await _api.AcceptAsync(mallory, Guid.NewGuid()), await _api.AcceptAsync(alice, roomId),
        };

        Assert.All(responses, r =>
        {
            Assert.Equal(HttpStatusCode.NotFound, r.Status);
            Assert.Equal("invitation_not_found", r.Code);
        });
        Assert.Equal([(alice.UserId.ToString(), "admin")], Roles(await _api.GetAsync($"/api/v1/rooms/{roomId}", alice.AccessToken)));
    }

    [Fact]
    public async Task An_invitee_gets_nothing_sent_to_the_room_and_is_not_part_of_its_device_set()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);
        await _api.InviteAsync(alice, roomId, carol);

        var toInvitee = await _api.SendTextToRoomAsync(alice, roomId, "with carol", bob, carol);
        var toMembers = await _api.SendTextToRoomAsync(alice, roomId, "members only", bob);

        Assert.Equal(HttpStatusCode.Conflict, toInvitee.Status);
        var mismatch = Assert.Single(toInvitee.Body!["mismatchedDevices"]!.AsArray());
        Assert.Equal(carol.UserId.ToString(), mismatch!["userId"]!.GetValue<string>());
        Assert.Equal([1], mismatch["extraDevices"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.OK, toMembers.Status);
        Assert.Equal(["members only"], (await _api.MailboxAsync(bob)).Select(Messaging.Text));
        Assert.Empty(await _api.MailboxAsync(carol));
    }

    [Fact]
    public async Task Inviting_a_member_or_an_invitee_again_changes_nothing()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);

        var member = await _api.InviteAsync(alice, roomId, bob);
        var first = await _api.InviteAsync(alice, roomId, carol);
        var again = await _api.InviteAsync(alice, roomId, carol, role: "admin");

        Assert.All([member, first, again], r => Assert.Equal(HttpStatusCode.NoContent, r.Status));
        var room = await _api.GetAsync($"/api/v1/rooms/{roomId}", alice.AccessToken);
        Assert.Equal([(alice.UserId.ToString(), "admin"), (bob.UserId.ToString(), "member")], Roles(room));
        var invitation = Assert.Single(room.Body!["invitations"]!.AsArray());
        Assert.Equal((carol.UserId.ToString(), "member"),
            (invitation!["userId"]!.GetValue<string>(), invitation["role"]!.GetValue<string>()));
        Assert.Equal([roomId], await _api.InvitedRoomsAsync(carol));
    }

    [Fact]
    public async Task An_admin_withdraws_a_pending_invitation_and_a_member_may_not()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);
        await _api.InviteAsync(alice, roomId, carol);

        var byMember = await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{carol.UserId}", bob.AccessToken);
        var invitedBefore = await _api.InvitedRoomsAsync(carol);
        var byAdmin = await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{carol.UserId}", alice.AccessToken);
        var again = await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{carol.UserId}", alice.AccessToken);
        var accept = await _api.AcceptAsync(carol, roomId);

        Assert.Equal(HttpStatusCode.Forbidden, byMember.Status);
        Assert.Equal("not_room_admin", byMember.Code);
        Assert.Equal([roomId], invitedBefore);
        Assert.Equal(HttpStatusCode.NoContent, byAdmin.Status);
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
        Assert.Equal("room_member_not_found", again.Code);
        Assert.Equal("invitation_not_found", accept.Code);
        Assert.Empty(await _api.InvitedRoomsAsync(carol));
    }

    [Fact]
    public async Task Deleting_the_room_or_its_last_member_leaving_drops_its_invitations()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var deleted = await _api.CreateRoomInvitingAsync(alice, bob);
        var abandoned = await _api.CreateRoomInvitingAsync(alice, bob);

        await _api.DeleteAsync($"/api/v1/rooms/{deleted}", alice.AccessToken);
        await _api.DeleteAsync($"/api/v1/rooms/{abandoned}/members/{alice.UserId}", alice.AccessToken);

        Assert.Empty(await _api.InvitedRoomsAsync(bob));
        Assert.Equal("invitation_not_found", (await _api.AcceptAsync(bob, deleted)).Code);
        Assert.Equal("invitation_not_found", (await _api.AcceptAsync(bob, abandoned)).Code);
    }

    private static (string, string)[] Roles(ApiResponse room) =>
        room.Body!["members"]!.AsArray().Select(m => (m!["userId"]!.GetValue<string>(), m["role"]!.GetValue<string>())).ToArray();
}

public sealed class SqliteRoomInvitationTests(SqliteServerFactory factory) : RoomInvitationTests<SqliteServerFactory>(factory);

public sealed class PostgresRoomInvitationTests(PostgresServerFactory factory) : RoomInvitationTests<PostgresServerFactory>(factory);
