namespace E2eeChat.Domain.Rooms;

public enum RoomChangeStatus
{
    /// <summary>Committed; <see cref="RoomChange.Room"/> is the room after the change (before it, for a delete).</summary>
    Done,

    /// <summary>Nothing to do: the user is a member already, or invited already.</summary>
    Unchanged,

    /// <summary>No such room, or the caller is not a member of it (the two are not told apart).</summary>
    RoomNotFound,

    NotAdmin,

    /// <summary>The user to remove is neither a member nor invited.</summary>
    MemberNotFound,

    /// <summary>No account has the user id in <see cref="RoomChange.UserId"/>.</summary>
    UserNotFound,

    /// <summary>Members and pending invitations together fill the room.</summary>
    RoomFull,

    /// <summary>The user in <see cref="RoomChange.UserId"/> is a member of the maximum number of rooms.</summary>
    TooManyRooms,

    /// <summary>The user in <see cref="RoomChange.UserId"/> holds the maximum number of pending invitations.</summary>
    TooManyInvitations,

    /// <summary>The user has no pending invitation to this room (or the room is gone).</summary>
    InvitationNotFound,
}

/// <summary>
/// The outcome of a room write. <see cref="PromotedUserId"/> is the member made admin because the last admin went;
/// <see cref="Deleted"/> is true when the room is gone (deleted, or its last member left); <see cref="Uninvited"/> is
/// true when a removal withdrew a pending invitation rather than removing a member.
/// </summary>
public sealed record RoomChange(RoomChangeStatus Status, Room? Room = null, Guid? UserId = null, Guid? PromotedUserId = null,
    bool Deleted = false, bool Uninvited = false);

/// <summary>
/// Owns rooms, their members and their pending invitations. Every write locks the room first and checks the caller's
/// role under that lock, so a check can never act on membership that a concurrent change already replaced; the mailbox
/// store takes the same lock for a room send (see <c>IMailboxStore.StoreAsync</c>). A user becomes a member only by
/// accepting an invitation (DESIGN §6), and only memberships count against a user's room limit.
/// </summary>
public interface IRoomStore
{
    /// <summary>
    /// Creates the room with its creator as its one member (an admin) and <see cref="Room.Invitations"/> pending; checks
    /// the creator's room count and every invitee's pending invitations under lock.
    /// </summary>
    Task<RoomChange> CreateAsync(Room room, int maxRoomsPerUser, int maxPendingInvitations, CancellationToken cancellationToken);

    /// <summary>The room, or null when it does not exist or <paramref name="memberId"/> is not a member.</summary>
    Task<Room?> FindAsync(Guid roomId, Guid memberId, CancellationToken cancellationToken);

    /// <summary>The rooms <paramref name="userId"/> is a member of, oldest first.</summary>
    Task<IReadOnlyList<Room>> ListAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>Admins only.</summary>
    Task<RoomChange> RenameAsync(Guid roomId, Guid callerId, string name, CancellationToken cancellationToken);

    /// <summary>Admins only. Pending invitations go with the room; envelopes already sent stay in their mailboxes.</summary>
    Task<RoomChange> DeleteAsync(Guid roomId, Guid callerId, CancellationToken cancellationToken);

    /// <summary>
    /// Admins only. Members and pending invitations together may not exceed <paramref name="maxMembers"/>, nor the
    /// invitee's pending invitations <paramref name="maxPendingInvitations"/>; inviting a member or someone invited
    /// already is <see cref="RoomChangeStatus.Unchanged"/>.
    /// </summary>
    Task<RoomChange> InviteAsync(Guid roomId, Guid callerId, RoomInvitation invitation, int maxMembers, int maxPendingInvitations,
        CancellationToken cancellationToken);

    /// <summary>
    /// Makes the invitee a member with the invited role, checking the room's size and the invitee's room count under
    /// lock; a refused accept leaves the invitation pending.
    /// </summary>
    Task<RoomChange> AcceptAsync(Guid roomId, Guid userId, DateTimeOffset joinedAt, int maxMembers, int maxRoomsPerUser,
        CancellationToken cancellationToken);

    /// <summary>Drops the invitee's pending invitation; the room is returned as it is after.</summary>
    Task<RoomChange> DeclineAsync(Guid roomId, Guid userId, CancellationToken cancellationToken);

    /// <summary>The pending invitations of <paramref name="userId"/>, oldest first.</summary>
    Task<IReadOnlyList<PendingInvitation>> InvitationsAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>
    /// Admins remove anyone and withdraw pending invitations; any member removes themselves. When no admin is left the
    /// oldest member becomes one; when no member is left the room and its invitations are deleted.
    /// </summary>
    Task<RoomChange> RemoveMemberAsync(Guid roomId, Guid callerId, Guid userId, CancellationToken cancellationToken);

    /// <summary>Users who are members of at least one room that <paramref name="userId"/> is a member of.</summary>
    Task<IReadOnlyList<Guid>> PeersAsync(Guid userId, CancellationToken cancellationToken);
}
