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
}

/// <summary>
/// A change of a room, for its members' devices, so they can update member lists and rotate sender keys.
/// <see cref="UserId"/> is the member who joined, left, was removed or was promoted; <see cref="Name"/> is set
/// on created and renamed. <see cref="At"/> is Unix milliseconds.
/// </summary>
public sealed record RoomEvent(Guid RoomId, RoomEventKind Kind, Guid? UserId, string? Name, long At);

/// <summary>Tells the real-time layer about room changes, after they are committed.</summary>
public interface IRoomEvents
{
    ValueTask PublishAsync(RoomEvent roomEvent, IReadOnlyList<Guid> audience, CancellationToken cancellationToken);
}
