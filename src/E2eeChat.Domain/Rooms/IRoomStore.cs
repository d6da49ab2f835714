namespace E2eeChat.Domain.Rooms;

public enum RoomChangeStatus
{
    /// <summary>Committed; <see cref="RoomChange.Room"/> is the room after the change (before it, for a delete).</summary>
    Done,

    /// <summary>Nothing to do: the user is a member already.</summary>
    Unchanged,

    /// <summary>No such room, or the caller is not a member of it (the two are not told apart).</summary>
    RoomNotFound,

    NotAdmin,

    /// <summary>The user to remove is not a member.</summary>
    MemberNotFound,

    /// <summary>No account has the user id in <see cref="RoomChange.UserId"/>.</summary>
    UserNotFound,

    RoomFull,

    /// <summary>The user in <see cref="RoomChange.UserId"/> is in the maximum number of rooms.</summary>
    TooManyRooms,
}

/// <summary>
/// The outcome of a room write. <see cref="PromotedUserId"/> is the member made admin because the last admin went;
/// <see cref="Deleted"/> is true when the room is gone (deleted, or its last member left).
/// </summary>
public sealed record RoomChange(RoomChangeStatus Status, Room? Room = null, Guid? UserId = null, Guid? PromotedUserId = null,
    bool Deleted = false);

/// <summary>
/// Owns rooms and their members. Every write locks the room first and checks the caller's role under that
/// lock, so a check can never act on membership that a concurrent change already replaced; the mailbox store
/// takes the same lock for a room send (see <c>IMailboxStore.StoreAsync</c>).
/// </summary>
public interface IRoomStore
{
    /// <summary>Creates the room with its members, checking every member's room count under lock.</summary>
    Task<RoomChange> CreateAsync(Room room, int maxRoomsPerUser, CancellationToken cancellationToken);

    /// <summary>The room, or null when it does not exist or <paramref name="memberId"/> is not a member.</summary>
    Task<Room?> FindAsync(Guid roomId, Guid memberId, CancellationToken cancellationToken);

    /// <summary>The rooms <paramref name="userId"/> is a member of, oldest first.</summary>
    Task<IReadOnlyList<Room>> ListAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>Admins only.</summary>
    Task<RoomChange> RenameAsync(Guid roomId, Guid callerId, string name, CancellationToken cancellationToken);

    /// <summary>Admins only. Envelopes already sent stay in their mailboxes.</summary>
    Task<RoomChange> DeleteAsync(Guid roomId, Guid callerId, CancellationToken cancellationToken);

    /// <summary>Admins only; checks the room's size and the user's room count under lock.</summary>
    Task<RoomChange> AddMemberAsync(Guid roomId, Guid callerId, RoomMember member, int maxMembers, int maxRoomsPerUser,
        CancellationToken cancellationToken);

    /// <summary>
    /// Admins remove anyone; any member removes themselves. When no admin is left the oldest member becomes one;
    /// when no member is left the room is deleted.
    /// </summary>
    Task<RoomChange> RemoveMemberAsync(Guid roomId, Guid callerId, Guid userId, CancellationToken cancellationToken);

    /// <summary>Users who share at least one room with <paramref name="userId"/>.</summary>
    Task<IReadOnlyList<Guid>> PeersAsync(Guid userId, CancellationToken cancellationToken);
}
