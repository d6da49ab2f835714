using System.Net;
using System.Text.Json.Nodes;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;
using static E2eeChat.Server.Tests.Infrastructure.RoomCalls;

namespace E2eeChat.Server.Tests.Rooms;

/// <summary>Rooms over REST on each store (DESIGN §6): lifecycle, who may do what, and validated fan-out.</summary>
public abstract class RoomApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Create_returns_201_with_the_creator_as_admin_and_the_member_ids_invited()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();

        var created = await _api.PostAsync("/api/v1/rooms", new { name = "climbing", memberIds = new[] { bob.UserId, bob.UserId, alice.UserId } },
            alice.AccessToken);
        var roomId = created.Text("roomId");
        var accepted = await _api.AcceptAsync(bob, Guid.Parse(roomId));
        var asBob = await _api.GetAsync($"/api/v1/rooms/{roomId}", bob.AccessToken);
        var bobsRooms = await _api.GetAsync("/api/v1/rooms", bob.AccessToken);

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("climbing", created.Text("name"));
        Assert.Equal([(alice.UserId.ToString(), "admin")], Roles(created.Body));
        var invitation = Assert.Single(created.Body!["invitations"]!.AsArray());
        Assert.Equal(bob.UserId.ToString(), invitation!["userId"]!.GetValue<string>());
        Assert.Equal("member", invitation["role"]!.GetValue<string>());
        Assert.Equal(alice.UserId.ToString(), invitation["invitedBy"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParse(created.Text("createdAt"), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal([(alice.UserId.ToString(), "admin"), (bob.UserId.ToString(), "member")], Roles(accepted.Body));
        Assert.Empty(accepted.Body!["invitations"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, asBob.Status);
        Assert.Equal(Roles(accepted.Body), Roles(asBob.Body));
        Assert.Equal([roomId], bobsRooms.Body!.AsArray().Select(r => r!["roomId"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tab\there")]
    [InlineData("129")]
    public async Task Create_with_a_bad_name_returns_400_and_creates_nothing(string name)
    {
        var alice = await _api.SignUpAsync();

        var response = await _api.PostAsync("/api/v1/rooms",
            new { name = name == "129" ? new string('x', 129) : name, memberIds = Array.Empty<Guid>() }, alice.AccessToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("invalid_room_name", response.Code);
        Assert.Empty((await _api.GetAsync("/api/v1/rooms", alice.AccessToken)).Body!.AsArray());
    }

    [Fact]
    public async Task Create_with_an_unknown_member_returns_404_and_creates_nothing()
    {
        var alice = await _api.SignUpAsync();
        var ghost = Guid.NewGuid();

        var response = await _api.PostAsync("/api/v1/rooms", new { name = "x", memberIds = new[] { ghost } }, alice.AccessToken);

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("user_not_found", response.Code);
        Assert.Equal(ghost.ToString(), response.Text("userId"));
        Assert.Empty((await _api.GetAsync("/api/v1/rooms", alice.AccessToken)).Body!.AsArray());
    }

    [Fact]
    public async Task Non_member_cannot_read_the_room_and_gets_the_same_404_as_for_no_room()
    {
        var (roomId, _, _, mallory) = await RoomWithOutsiderAsync();

        var foreign = await _api.GetAsync($"/api/v1/rooms/{roomId}", mallory.AccessToken);
        var missing = await _api.GetAsync($"/api/v1/rooms/{Guid.NewGuid()}", mallory.AccessToken);

        AssertRoomNotFound(foreign);
        AssertRoomNotFound(missing);
        Assert.Equal(missing.Text("detail"), foreign.Text("detail"));
        Assert.Empty((await _api.GetAsync("/api/v1/rooms", mallory.AccessToken)).Body!.AsArray());
    }

    [Fact]
    public async Task Non_member_cannot_list_the_members()
    {
        var (roomId, alice, _, mallory) = await RoomWithOutsiderAsync();

        var response = await _api.GetAsync($"/api/v1/rooms/{roomId}/members", mallory.AccessToken);
        var asMember = await _api.GetAsync($"/api/v1/rooms/{roomId}/members", alice.AccessToken);

        AssertRoomNotFound(response);
        Assert.Equal(2, asMember.Body!.AsArray().Count);
    }

    [Fact]
    public async Task Non_member_cannot_send_to_the_room()
    {
        var (roomId, alice, bob, mallory) = await RoomWithOutsiderAsync();

        var response = await _api.SendTextToRoomAsync(mallory, roomId, "spam", alice, bob);

        AssertRoomNotFound(response);
        Assert.Empty(await _api.MailboxAsync(alice));
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Non_member_cannot_rename_the_room()
    {
        var (roomId, alice, _, mallory) = await RoomWithOutsiderAsync();

        var response = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/rooms/{roomId}", System.Net.Http.Json.JsonContent.Create(
            new { name = "pwned" }), mallory.AccessToken);

        AssertRoomNotFound(response);
        Assert.Equal("team", (await _api.GetAsync($"/api/v1/rooms/{roomId}", alice.AccessToken)).Text("name"));
    }

    [Fact]
    public async Task Non_member_cannot_delete_the_room()
    {
        var (roomId, alice, _, mallory) = await RoomWithOutsiderAsync();

        var response = await _api.DeleteAsync($"/api/v1/rooms/{roomId}", mallory.AccessToken);

        AssertRoomNotFound(response);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/api/v1/rooms/{roomId}", alice.AccessToken)).Status);
    }

    [Fact]
    public async Task Non_member_cannot_add_or_remove_members()
    {
        var (roomId, alice, bob, mallory) = await RoomWithOutsiderAsync();

        var add = await _api.PostAsync($"/api/v1/rooms/{roomId}/members", new { userId = mallory.UserId }, mallory.AccessToken);
        var remove = await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{bob.UserId}", mallory.AccessToken);

        AssertRoomNotFound(add);
        AssertRoomNotFound(remove);
        Assert.Equal([alice.UserId.ToString(), bob.UserId.ToString()], await MemberIdsAsync(roomId, alice));
    }

    [Fact]
    public async Task Member_cannot_remove_others_403_not_room_admin()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob, carol);

        var response = await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{carol.UserId}", bob.AccessToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("not_room_admin", response.Code);
        Assert.Equal(3, (await MemberIdsAsync(roomId, alice)).Length);
    }

    [Fact]
    public async Task Member_cannot_add_rename_or_delete_403_not_room_admin()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);

        var add = await _api.PostAsync($"/api/v1/rooms/{roomId}/members", new { userId = carol.UserId }, bob.AccessToken);
        var rename = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/rooms/{roomId}",
            System.Net.Http.Json.JsonContent.Create(new { name = "bob's" }), bob.AccessToken);
        var delete = await _api.DeleteAsync($"/api/v1/rooms/{roomId}", bob.AccessToken);

        Assert.All([add, rename, delete], r =>
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.Status);
            Assert.Equal("not_room_admin", r.Code);
        });
        var room = await _api.GetAsync($"/api/v1/rooms/{roomId}", alice.AccessToken);
        Assert.Equal("team", room.Text("name"));
        Assert.Equal(2, room.Body!["members"]!.AsArray().Count);
    }

    [Fact]
    public async Task Admin_invites_renames_and_removes_and_a_removed_member_loses_the_room()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);

        var add = await _api.InviteAsync(alice, roomId, carol);
        var addAgain = await _api.InviteAsync(alice, roomId, carol);
        Assert.Equal(HttpStatusCode.OK, (await _api.AcceptAsync(carol, roomId)).Status);
        var rename = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/rooms/{roomId}",
            System.Net.Http.Json.JsonContent.Create(new { name = "renamed" }), alice.AccessToken);
        var remove = await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{bob.UserId}", alice.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, add.Status);
        Assert.Equal(HttpStatusCode.NoContent, addAgain.Status);
        Assert.Equal("renamed", rename.Text("name"));
        Assert.Equal(HttpStatusCode.NoContent, remove.Status);
        Assert.Equal([alice.UserId.ToString(), carol.UserId.ToString()], await MemberIdsAsync(roomId, carol));
        AssertRoomNotFound(await _api.GetAsync($"/api/v1/rooms/{roomId}", bob.AccessToken));
    }

    [Fact]
    public async Task Member_can_leave()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);

        var leave = await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{bob.UserId}", bob.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, leave.Status);
        Assert.Equal([alice.UserId.ToString()], await MemberIdsAsync(roomId, alice));
        Assert.Empty((await _api.GetAsync("/api/v1/rooms", bob.AccessToken)).Body!.AsArray());
    }

    [Fact]
    public async Task Last_admin_leaving_promotes_the_oldest_member()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob, carol);

        await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{alice.UserId}", alice.AccessToken);
        var room = await _api.GetAsync($"/api/v1/rooms/{roomId}", carol.AccessToken);
        var bobRemovesCarol = await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{carol.UserId}", bob.AccessToken);

        Assert.Equal([(bob.UserId.ToString(), "admin"), (carol.UserId.ToString(), "member")], Roles(room.Body));
        Assert.Equal(HttpStatusCode.NoContent, bobRemovesCarol.Status);
    }

    [Fact]
    public async Task Admin_deletes_the_room_for_everyone()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);

        var delete = await _api.DeleteAsync($"/api/v1/rooms/{roomId}", alice.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, delete.Status);
        AssertRoomNotFound(await _api.GetAsync($"/api/v1/rooms/{roomId}", alice.AccessToken));
        AssertRoomNotFound(await _api.SendTextToRoomAsync(alice, roomId, "anyone?", alice, bob));
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Room_send_reaches_every_member_device_and_the_senders_other_devices_with_the_room_id()
    {
        var alice = await _api.SignUpAsync();
        var aliceLaptop = await _api.LinkByPasswordAsync(alice, "laptop");
        var bob = await _api.SignUpAsync();
        var bobTablet = await _api.LinkByPasswordAsync(bob);
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob, carol);

        var sent = await _api.SendTextToRoomAsync(alice, roomId, "hello room", alice, bob, carol);

        Assert.Equal(HttpStatusCode.OK, sent.Status);
        foreach (var device in new[] { aliceLaptop, bob, bobTablet, carol })
        {
            var envelope = Assert.Single(await _api.MailboxAsync(device));
            Assert.Equal("hello room", Text(envelope));
            Assert.Equal(roomId.ToString(), envelope!["roomId"]!.GetValue<string>());
            Assert.Equal(sent.Text("messageId"), envelope["messageId"]!.GetValue<string>());
            Assert.Equal(alice.UserId.ToString(), envelope["sourceUserId"]!.GetValue<string>());
        }
        Assert.Empty(await _api.MailboxAsync(alice));
    }

    [Fact]
    public async Task Removed_member_stops_receiving_the_rooms_envelopes_at_once()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var carolTablet = await _api.LinkByPasswordAsync(carol);
        var roomId = await _api.CreateRoomAsync(alice, bob, carol);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendTextToRoomAsync(alice, roomId, "before", bob, carol)).Status);

        await _api.DeleteAsync($"/api/v1/rooms/{roomId}/members/{carol.UserId}", alice.AccessToken);
        var stillToCarol = await _api.SendTextToRoomAsync(alice, roomId, "after", bob, carol);
        var withoutCarol = await _api.SendTextToRoomAsync(alice, roomId, "after", bob);

        Assert.Equal(HttpStatusCode.Conflict, stillToCarol.Status);
        Assert.Equal("mismatched_devices", stillToCarol.Code);
        var mismatch = Assert.Single(stillToCarol.Body!["mismatchedDevices"]!.AsArray());
        Assert.Equal(carol.UserId.ToString(), mismatch!["userId"]!.GetValue<string>());
        Assert.Equal([1, carolTablet.DeviceId], Ints(mismatch["extraDevices"]));
        Assert.Empty(Ints(mismatch["missingDevices"]));
        Assert.Equal(HttpStatusCode.OK, withoutCarol.Status);
        Assert.Equal(["before", "after"], (await _api.MailboxAsync(bob)).Select(Text));
        Assert.Equal(["before"], (await _api.MailboxAsync(carol)).Select(Text));
        Assert.Equal(["before"], (await _api.MailboxAsync(carolTablet)).Select(Text));
    }

    [Fact]
    public async Task Room_send_missing_a_members_device_returns_409_per_member_and_stores_nothing_for_anyone()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var bobTablet = await _api.LinkByPasswordAsync(bob);
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob, carol);
        var envelopes = await _api.RoomEnvelopesAsync(alice, "x", carol);
        envelopes.Add(RoomEnvelope(bob.UserId, 1, (await _api.DevicesAsync(bob))[0].RegistrationId, "x"));
        envelopes.Add(RoomEnvelope(carol.UserId, 9, 77, "x"));

        var response = await _api.SendToRoomAsync(alice, roomId, envelopes);

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("mismatched_devices", response.Code);
        var byUser = response.Body!["mismatchedDevices"]!.AsArray().ToDictionary(m => m!["userId"]!.GetValue<string>());
        Assert.Equal([bobTablet.DeviceId], Ints(byUser[bob.UserId.ToString()]!["missingDevices"]));
        Assert.Empty(Ints(byUser[bob.UserId.ToString()]!["extraDevices"]));
        Assert.Equal([9], Ints(byUser[carol.UserId.ToString()]!["extraDevices"]));
        Assert.Equal(2, byUser.Count);
        foreach (var device in new[] { bob, bobTablet, carol })
        {
            Assert.Empty(await _api.MailboxAsync(device));
        }
    }

    [Fact]
    public async Task Room_send_with_a_stale_registration_id_returns_410_per_member_and_stores_nothing_for_anyone()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob, carol);
        var envelopes = await _api.RoomEnvelopesAsync(alice, "x", bob);
        envelopes.Add(RoomEnvelope(carol.UserId, 1, (await _api.DevicesAsync(carol))[0].RegistrationId + 1, "x"));

        var response = await _api.SendToRoomAsync(alice, roomId, envelopes);

        Assert.Equal(HttpStatusCode.Gone, response.Status);
        Assert.Equal("stale_devices", response.Code);
        var stale = Assert.Single(response.Body!["staleDevices"]!.AsArray());
        Assert.Equal(carol.UserId.ToString(), stale!["userId"]!.GetValue<string>());
        Assert.Equal([1], Ints(stale["staleDevices"]));
        Assert.Empty(await _api.MailboxAsync(bob));
        Assert.Empty(await _api.MailboxAsync(carol));
    }

    [Fact]
    public async Task Room_send_without_destination_user_ids_returns_400()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);

        var response = await _api.SendToRoomAsync(alice, roomId,
            [Envelope(1, (await _api.DevicesAsync(bob))[0].RegistrationId, "x")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_envelope", response.Code);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Room_send_retried_with_the_same_message_id_is_stored_once()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob);
        var body = Send(await _api.RoomEnvelopesAsync(alice, "once", bob), messageId: Guid.NewGuid().ToString());

        var first = await _api.PutAsync($"/api/v1/rooms/{roomId}/messages", body, alice.AccessToken);
        var retry = await _api.PutAsync($"/api/v1/rooms/{roomId}/messages", body, alice.AccessToken);

        Assert.Equal(first.Text("messageId"), retry.Text("messageId"));
        Assert.Single(await _api.MailboxAsync(bob));
    }

    private async Task<(Guid RoomId, TestDevice Alice, TestDevice Bob, TestDevice Mallory)> RoomWithOutsiderAsync()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var mallory = await _api.SignUpAsync();
        return (await _api.CreateRoomAsync(alice, bob), alice, bob, mallory);
    }

    private async Task<string[]> MemberIdsAsync(Guid roomId, TestDevice member)
    {
        var response = await _api.GetAsync($"/api/v1/rooms/{roomId}/members", member.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Body!.AsArray().Select(m => m!["userId"]!.GetValue<string>()).ToArray();
    }

    private static void AssertRoomNotFound(ApiResponse response)
    {
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("room_not_found", response.Code);
    }

    private static (string, string)[] Roles(JsonNode? room) =>
        room!["members"]!.AsArray().Select(m => (m!["userId"]!.GetValue<string>(), m["role"]!.GetValue<string>())).ToArray();

    private static int[] Ints(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
}

public sealed class SqliteRoomApiTests(SqliteServerFactory factory) : RoomApiTests<SqliteServerFactory>(factory);

public sealed class PostgresRoomApiTests(PostgresServerFactory factory) : RoomApiTests<PostgresServerFactory>(factory);
