namespace E2eeChat.Domain.Rooms;

public enum RoomRole
{
    Member = 0,
    Admin = 1,
}

/// <summary>One member of a room. Members who joined earlier come first; the oldest is promoted when the last admin goes.</summary>
public sealed record RoomMember(Guid UserId, RoomRole Role, DateTimeOffset JoinedAt);

/// <summary>
/// An invitation to a room that <see cref="UserId"/> has not answered yet. It is no membership: the invitee gets nothing
/// sent to the room, is not part of its device set, and hears nothing ephemeral through it. <see cref="Role"/> is the
/// role they get by accepting.
/// </summary>
public sealed record RoomInvitation(Guid UserId, RoomRole Role, Guid InvitedBy, DateTimeOffset InvitedAt);

/// <summary>
/// A group conversation. <see cref="Name"/> is server-visible metadata; clients that want it
/// private store an encrypted blob (e.g. base64) in it instead. <see cref="Invitations"/> are the pending ones, oldest first.
/// </summary>
public sealed record Room(Guid RoomId, string Name, IReadOnlyList<RoomMember> Members, DateTimeOffset CreatedAt)
{
    public IReadOnlyList<RoomInvitation> Invitations { get; init; } = [];

    public bool IsMember(Guid userId)
    {
        foreach (var member in Members)
        {
            if (member.UserId == userId)
            {
                return true;
            }
        }
        return false;
    }

    public RoomInvitation? InvitationOf(Guid userId)
    {
        foreach (var invitation in Invitations)
        {
            if (invitation.UserId == userId)
            {
                return invitation;
            }
        }
        return null;
    }
}

/// <summary>A pending invitation as its invitee sees it: enough to decide, and nothing else of the room.</summary>
public sealed record PendingInvitation(Guid RoomId, string RoomName, RoomRole Role, Guid InvitedBy, DateTimeOffset InvitedAt);
