namespace E2eeChat.Domain.Rooms;

public enum RoomRole
{
    Member = 0,
    Admin = 1,
}

/// <summary>One member of a room. Members who joined earlier come first; the oldest is promoted when the last admin goes.</summary>
public sealed record RoomMember(Guid UserId, RoomRole Role, DateTimeOffset JoinedAt);

/// <summary>
/// A group conversation. <see cref="Name"/> is server-visible metadata; clients that want it
/// private store an encrypted blob (e.g. base64) in it instead.
/// </summary>
public sealed record Room(Guid RoomId, string Name, IReadOnlyList<RoomMember> Members, DateTimeOffset CreatedAt);
