using E2eeChat.Domain.Rooms;

namespace E2eeChat.Server.Rooms;

/// <summary>The creator becomes the room's admin; <c>memberIds</c> join as members.</summary>
public sealed record CreateRoomRequest(string? Name, IReadOnlyList<Guid>? MemberIds);

public sealed record RenameRoomRequest(string? Name);

/// <summary><c>role</c> is <c>member</c> (the default) or <c>admin</c>.</summary>
public sealed record AddRoomMemberRequest(Guid? UserId, RoomRole? Role);

public sealed record RoomMemberResponse(Guid UserId, RoomRole Role);

public sealed record RoomResponse(Guid RoomId, string Name, IReadOnlyList<RoomMemberResponse> Members, DateTimeOffset CreatedAt)
{
    public static RoomResponse From(Room room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return new RoomResponse(room.RoomId, room.Name, MembersOf(room), room.CreatedAt);
    }

    public static RoomMemberResponse[] MembersOf(Room room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return [.. room.Members.Select(m => new RoomMemberResponse(m.UserId, m.Role))];
    }
}
