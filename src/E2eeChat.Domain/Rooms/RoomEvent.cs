namespace E2eeChat.Domain.Rooms;

public enum RoomEventKind
{
    Created,
    Joined,
    Left,
    Removed,
    Promoted,
    Renamed,
    Deleted,
    Invited,
    Declined,
    Uninvited,
}

/// <summary>
/// A change of a room, for its members' devices (and an invitee's, for their invitation), so they can update member
/// lists and rotate sender keys. <see cref="UserId"/> is the user who joined, left, was removed, promoted, invited,
/// declined or uninvited; <see cref="ByUserId"/> the admin who invited, uninvited or removed them; <see cref="Name"/>
/// is set on created, renamed and invited. <see cref="At"/> is Unix milliseconds.
/// </summary>
public sealed record RoomEvent(Guid RoomId, RoomEventKind Kind, Guid? UserId, string? Name, long At, Guid? ByUserId = null);

/// <summary>Tells the real-time layer about room changes, after they are committed.</summary>
public interface IRoomEvents
{
    ValueTask PublishAsync(RoomEvent roomEvent, IReadOnlyList<Guid> audience, CancellationToken cancellationToken);
}
