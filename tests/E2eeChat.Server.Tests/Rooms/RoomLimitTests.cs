using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.Server.Tests.Rooms;

/// <summary>Rooms:MaxMembers and Rooms:MaxRoomsPerUser answer 409 with their own codes, on each store.</summary>
public abstract class RoomLimitTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    public const string MaxMembers = "3";
    public const string MaxRoomsPerUser = "2";

    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Adding_beyond_max_members_returns_409_room_full()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var dave = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice, bob, carol);

        var add = await _api.PostAsync($"/api/v1/rooms/{roomId}/members", new { userId = dave.UserId }, alice.AccessToken);

        Assert.Equal(HttpStatusCode.Conflict, add.Status);
        Assert.Equal("room_full", add.Code);
        Assert.Equal(3, (await _api.GetAsync($"/api/v1/rooms/{roomId}", alice.AccessToken)).Body!["members"]!.AsArray().Count);
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
    }

    [Fact]
    public async Task Joining_beyond_max_rooms_per_user_returns_409_too_many_rooms()
    {
        var popular = await _api.SignUpAsync();
        var admins = new[] { await _api.SignUpAsync(), await _api.SignUpAsync(), await _api.SignUpAsync() };
        await _api.CreateRoomAsync(admins[0], popular);
        await _api.CreateRoomAsync(popular);

        var create = await _api.PostAsync("/api/v1/rooms", new { name = "third", memberIds = new[] { popular.UserId } },
            admins[1].AccessToken);
        var roomId = await _api.CreateRoomAsync(admins[2]);
        var add = await _api.PostAsync($"/api/v1/rooms/{roomId}/members", new { userId = popular.UserId }, admins[2].AccessToken);

        foreach (var refused in new[] { create, add })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.Status);
            Assert.Equal("too_many_rooms", refused.Code);
            Assert.Equal(popular.UserId.ToString(), refused.Text("userId"));
        }
        Assert.Equal(2, (await _api.GetAsync("/api/v1/rooms", popular.AccessToken)).Body!.AsArray().Count);
        Assert.Empty((await _api.GetAsync("/api/v1/rooms", admins[1].AccessToken)).Body!.AsArray());
    }
}

public sealed class SqliteSmallRoomsServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["Rooms:MaxMembers"] = RoomLimitTests<SqliteSmallRoomsServerFactory>.MaxMembers;
        Settings["Rooms:MaxRoomsPerUser"] = RoomLimitTests<SqliteSmallRoomsServerFactory>.MaxRoomsPerUser;
        return base.InitializeAsync();
    }
}

public sealed class PostgresSmallRoomsServerFactory : PostgresServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["Rooms:MaxMembers"] = RoomLimitTests<PostgresSmallRoomsServerFactory>.MaxMembers;
        Settings["Rooms:MaxRoomsPerUser"] = RoomLimitTests<PostgresSmallRoomsServerFactory>.MaxRoomsPerUser;
        return base.InitializeAsync();
    }
}

public sealed class SqliteRoomLimitTests(SqliteSmallRoomsServerFactory factory) : RoomLimitTests<SqliteSmallRoomsServerFactory>(factory);

public sealed class PostgresRoomLimitTests(PostgresSmallRoomsServerFactory factory) : RoomLimitTests<PostgresSmallRoomsServerFactory>(factory);
