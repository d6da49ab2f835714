using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.RoomCalls;

namespace E2eeChat.Server.Tests.Rooms;

/// <summary>The small limits <see cref="RoomLimitTests{TFactory}"/> run with.</summary>
public static class SmallRooms
{
    public static void Apply(Dictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Rooms:MaxMembers"] = "3";
        settings["Rooms:MaxRoomsPerUser"] = "2";
        settings["Rooms:MaxPendingInvitationsPerUser"] = "2";
        // Per account: no test but the one about it has one account invite more than four users.
        settings["RateLimits:RoomInvitationsPerAccount:PermitLimit"] = "4";
    }
}

/// <summary>
/// Rooms:MaxMembers, Rooms:MaxRoomsPerUser, Rooms:MaxPendingInvitationsPerUser and the RoomInvitationsPerAccount rate
/// answer with their own codes, on each store.
/// </summary>
public abstract class RoomLimitTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Inviting_beyond_max_members_returns_409_room_full()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var dave = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob, carol);

        var invite = await _api.InviteAsync(alice, roomId, dave);

        Assert.Equal(HttpStatusCode.Conflict, invite.Status);
        Assert.Equal("room_full", invite.Code);
        Assert.Empty(await _api.InvitedRoomsAsync(dave));
        Assert.Equal(3, (await _api.GetAsync($"/api/v1/rooms/{roomId}", alice.AccessToken)).Body!["members"]!.AsArray().Count);
    }

    [Fact]
    public async Task Pending_invitations_hold_seats_so_inviting_beyond_max_members_returns_409_room_full()
    {
        var alice = await _api.SignUpAsync();
        var (bob, carol, dave) = (await _api.SignUpAsync(), await _api.SignUpAsync(), await _api.SignUpAsync());
        var roomId = await _api.CreateRoomInvitingAsync(alice, bob, carol);

        var invite = await _api.InviteAsync(alice, roomId, dave);
        await _api.DeclineAsync(carol, roomId);
        var afterDecline = await _api.InviteAsync(alice, roomId, dave);

        Assert.Equal(HttpStatusCode.Conflict, invite.Status);
        Assert.Equal("room_full", invite.Code);
        Assert.Equal(HttpStatusCode.NoContent, afterDecline.Status);
        Assert.Equal([roomId], await _api.InvitedRoomsAsync(dave));
    }

    [Fact]
    public async Task Creating_a_room_beyond_max_members_returns_409_room_full()
    {
        var alice = await _api.SignUpAsync();
        var others = new[] { await _api.SignUpAsync(), await _api.SignUpAsync(), await _api.SignUpAsync() };

        var create = await _api.PostAsync("/api/v1/rooms", new { name = "big", memberIds = others.Select(o => o.UserId) }, alice.AccessToken);

        Assert.Equal(HttpStatusCode.Conflict, create.Status);
        Assert.Equal("room_full", create.Code);
        Assert.Empty((await _api.GetAsync("/api/v1/rooms", alice.AccessToken)).Body!.AsArray());
        foreach (var other in others)
        {
            Assert.Empty(await _api.InvitedRoomsAsync(other));
        }
    }

    [Fact]
    public async Task Invitations_beyond_max_rooms_per_user_arrive_but_accepting_returns_409_too_many_rooms_and_keeps_them()
    {
        var popular = await _api.SignUpAsync();
        var admins = new[] { await _api.SignUpAsync(), await _api.SignUpAsync(), await _api.SignUpAsync() };
        await _api.CreateRoomAsync(admins[0], popular);
        var own = await _api.CreateRoomAsync(popular);

        var third = await _api.CreateRoomInvitingAsync(admins[1], popular);
        var fourth = await _api.CreateRoomAsync(admins[2]);
        var invite = await _api.InviteAsync(admins[2], fourth, popular);
        var accept = await _api.AcceptAsync(popular, third);
        var create = await _api.PostAsync("/api/v1/rooms", new { name = "mine", memberIds = Array.Empty<Guid>() }, popular.AccessToken);
        var pending = await _api.InvitedRoomsAsync(popular);
        await _api.DeleteAsync($"/api/v1/rooms/{own}/members/{popular.UserId}", popular.AccessToken);
        var acceptAfterLeaving = await _api.AcceptAsync(popular, third);

        Assert.Equal(HttpStatusCode.NoContent, invite.Status);
        foreach (var refused in new[] { accept, create })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.Status);
            Assert.Equal("too_many_rooms", refused.Code);
            Assert.Equal(popular.UserId.ToString(), refused.Text("userId"));
        }
        Assert.Equal([third, fourth], pending);
        Assert.Equal(HttpStatusCode.OK, acceptAfterLeaving.Status);
        Assert.Equal([fourth], await _api.InvitedRoomsAsync(popular));
        Assert.Equal(2, (await _api.GetAsync("/api/v1/rooms", popular.AccessToken)).Body!.AsArray().Count);
    }

    [Fact]
    public async Task Inviting_beyond_max_pending_invitations_returns_409_too_many_invitations_until_one_is_answered()
    {
        var invitee = await _api.SignUpAsync();
        var admins = new[] { await _api.SignUpAsync(), await _api.SignUpAsync(), await _api.SignUpAsync() };
        var first = await _api.CreateRoomInvitingAsync(admins[0], invitee);
        await _api.CreateRoomInvitingAsync(admins[1], invitee);

        var create = await _api.PostAsync("/api/v1/rooms", new { name = "third", memberIds = new[] { invitee.UserId } }, admins[2].AccessToken);
        var roomId = await _api.CreateRoomAsync(admins[2]);
        var invite = await _api.InviteAsync(admins[2], roomId, invitee);
        await _api.DeclineAsync(invitee, first);
        var afterDecline = await _api.InviteAsync(admins[2], roomId, invitee);

        foreach (var refused in new[] { create, invite })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.Status);
            Assert.Equal("too_many_invitations", refused.Code);
            Assert.Equal(invitee.UserId.ToString(), refused.Text("userId"));
        }
        Assert.Equal(HttpStatusCode.NoContent, afterDecline.Status);
        Assert.Equal([roomId], (await _api.GetAsync("/api/v1/rooms", admins[2].AccessToken)).Body!.AsArray()
            .Select(r => Guid.Parse(r!["roomId"]!.GetValue<string>())));
        Assert.Equal(2, (await _api.InvitedRoomsAsync(invitee)).Length);
    }

    [Fact]
    public async Task Inviting_beyond_the_per_account_rate_returns_429_and_stores_nothing()
    {
        var alice = await _api.SignUpAsync();
        var users = new TestDevice[6];
        for (var i = 0; i < users.Length; i++)
        {
            users[i] = await _api.SignUpAsync();
        }
        // Four invitations, the most two rooms of three hold; a decline frees a seat for a fifth.
        var first = await _api.CreateRoomInvitingAsync(alice, users[0], users[1]);
        var second = await _api.CreateRoomInvitingAsync(alice, users[2]);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.InviteAsync(alice, second, users[3])).Status);
        await _api.DeclineAsync(users[0], first);

        var fifth = await _api.InviteAsync(alice, first, users[4]);

        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.Status);
        Assert.Equal("rate_limited", fifth.Code);
        Assert.NotNull(fifth.RetryAfter);
        Assert.Empty(await _api.InvitedRoomsAsync(users[4]));
    }
}

public sealed class SqliteSmallRoomsServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        SmallRooms.Apply(Settings);
        return base.InitializeAsync();
    }
}

public sealed class PostgresSmallRoomsServerFactory : PostgresServerFactory
{
    public override Task InitializeAsync()
    {
        SmallRooms.Apply(Settings);
        return base.InitializeAsync();
    }
}

public sealed class SqliteRoomLimitTests(SqliteSmallRoomsServerFactory factory) : RoomLimitTests<SqliteSmallRoomsServerFactory>(factory);

public sealed class PostgresRoomLimitTests(PostgresSmallRoomsServerFactory factory) : RoomLimitTests<PostgresSmallRoomsServerFactory>(factory);
