using E2eeChat.Domain.Rooms;

namespace E2eeChat.Server.Rooms;

/// <summary>The creator becomes the room's admin; <c>memberIds</c> are invited and join by accepting.</summary>
public sealed record CreateRoomRequest(string? Name, IReadOnlyList<Guid>? MemberIds);

public sealed record RenameRoomRequest(string? Name);

/// <summary>Invites <c>userId</c>; <c>role</c> (what they get by accepting) is <c>member</c> (the default) or <c>admin</c>.</summary>
public sealed record AddRoomMemberRequest(Guid? UserId, RoomRole? Role);

public sealed record RoomMemberResponse(Guid UserId, RoomRole Role);

public sealed record RoomInvitationResponse(Guid UserId, RoomRole Role, Guid InvitedBy, DateTimeOffset InvitedAt);

public sealed record RoomResponse(Guid RoomId, string Name, IReadOnlyList<RoomMemberResponse> Members,
    IReadOnlyList<RoomInvitationResponse> Invitations, DateTimeOffset CreatedAt)
{
    public static RoomResponse From(Room room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return new RoomResponse(room.RoomId, room.Name, MembersOf(room),
            [.. room.Invitations.Select(i => new RoomInvitationResponse(i.UserId, i.Role, i.InvitedBy, i.InvitedAt))], room.CreatedAt);
    }

    public static RoomMemberResponse[] MembersOf(Room room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return [.. room.Members.Select(m => new RoomMemberResponse(m.UserId, m.Role))];
    }
}

/// <summary>A pending invitation as the invitee sees it: the room's id and name, the role offered, and who invited.</summary>
public sealed record PendingInvitationResponse(Guid RoomId, string Name, RoomRole Role, Guid InvitedBy, DateTimeOffset InvitedAt)
{
    public static PendingInvitationResponse From(PendingInvitation invitation)
    {
        ArgumentNullException.ThrowIfNull(invitation);
        return new PendingInvitationResponse(invitation.RoomId, invitation.RoomName, invitation.Role, invitation.InvitedBy,
            invitation.InvitedAt);
    }
}
