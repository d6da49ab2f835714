using E2eeChat.Domain.Errors;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Domain.Rooms;

/// <summary>
/// Rooms (DESIGN §6): lifecycle, membership and sends to every member device. The store applies each change
/// atomically; this service validates input, turns refusals into errors and tells members what changed.
/// </summary>
public sealed class RoomService(
    IRoomStore rooms,
    MessageService messages,
    IRoomEvents events,
    RoomOptions options,
    MessagingOptions messaging,
    TimeProvider clock)
{
    public async Task<Room> CreateAsync(Guid creatorId, string? name, IReadOnlyList<Guid>? memberIds,
        CancellationToken cancellationToken)
    {
        var validName = RoomRules.ValidateName(name);
        var now = clock.GetUtcNow();
        var members = new List<RoomMember> { new(creatorId, RoomRole.Admin, now) };
        var seen = new HashSet<Guid> { creatorId };
        foreach (var userId in memberIds ?? [])
        {
            if (seen.Add(userId))
            {
                members.Add(new RoomMember(userId, RoomRole.Member, now));
            }
        }
        if (members.Count > options.MaxMembers)
        {
            throw RoomFull();
        }
        var change = await rooms.CreateAsync(new Room(Guid.NewGuid(), validName, members, now), options.MaxRoomsPerUser,
            cancellationToken).ConfigureAwait(false);
        var room = Check(change);
        await PublishAsync(room, RoomEventKind.Created, null, room.Name, Audience(room), cancellationToken).ConfigureAwait(false);
        return room;
    }

    public Task<IReadOnlyList<Room>> ListAsync(Guid userId, CancellationToken cancellationToken) =>
        rooms.ListAsync(userId, cancellationToken);

    public async Task<Room> GetAsync(Guid roomId, Guid callerId, CancellationToken cancellationToken) =>
        await rooms.FindAsync(roomId, callerId, cancellationToken).ConfigureAwait(false) ?? throw RoomRules.NotFound();

    public async Task<Room> RenameAsync(Guid roomId, Guid callerId, string? name, CancellationToken cancellationToken)
    {
        var validName = RoomRules.ValidateName(name);
        var room = Check(await rooms.RenameAsync(roomId, callerId, validName, cancellationToken).ConfigureAwait(false));
        await PublishAsync(room, RoomEventKind.Renamed, null, room.Name, Audience(room), cancellationToken).ConfigureAwait(false);
        return room;
    }

    public async Task DeleteAsync(Guid roomId, Guid callerId, CancellationToken cancellationToken)
    {
        var room = Check(await rooms.DeleteAsync(roomId, callerId, cancellationToken).ConfigureAwait(false));
        await PublishAsync(room, RoomEventKind.Deleted, null, null, Audience(room), cancellationToken).ConfigureAwait(false);
    }

    public async Task AddMemberAsync(Guid roomId, Guid callerId, Guid? userId, RoomRole? role, CancellationToken cancellationToken)
    {
        if (userId is not { } user)
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidRequest, "userId is required.");
        }
        if (role is { } given && !Enum.IsDefined(given))
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidRequest, "role must be \"member\" or \"admin\".");
        }
        var member = new RoomMember(user, role ?? RoomRole.Member, clock.GetUtcNow());
        var change = await rooms.AddMemberAsync(roomId, callerId, member, options.MaxMembers, options.MaxRoomsPerUser,
            cancellationToken).ConfigureAwait(false);
        if (change.Status == RoomChangeStatus.Unchanged)
        {
            return;
        }
        var room = Check(change);
        await PublishAsync(room, RoomEventKind.Joined, user, null, Audience(room), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Admins remove anyone; a member removing themselves leaves.</summary>
    public async Task RemoveMemberAsync(Guid roomId, Guid callerId, Guid userId, CancellationToken cancellationToken)
    {
        var change = await rooms.RemoveMemberAsync(roomId, callerId, userId, cancellationToken).ConfigureAwait(false);
        var room = Check(change);
        // The one who went hears it too, so their devices drop the room and its sender keys.
        var kind = userId == callerId ? RoomEventKind.Left : RoomEventKind.Removed;
        await PublishAsync(room, kind, userId, null, Audience(room, userId), cancellationToken).ConfigureAwait(false);
        if (change.PromotedUserId is { } promoted)
        {
            await PublishAsync(room, RoomEventKind.Promoted, promoted, null, Audience(room), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends one envelope to every device of every other member and to the sender's other devices. The members
    /// read here only shape the request; the mailbox store reads them again under the room's lock when it commits.
    /// </summary>
    public async Task<SendResult> SendAsync(Guid senderUserId, int senderDeviceId, Guid roomId, SendMessages request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var envelopes = SendParser.Envelopes(request, defaultUser: null, messaging);
        var idempotencyKey = SendParser.IdempotencyKey(request.MessageId);
        var room = await GetAsync(roomId, senderUserId, cancellationToken).ConfigureAwait(false);
        return await messages.DeliverAsync(senderUserId, senderDeviceId, roomId, Audience(room), envelopes, request,
            idempotencyKey, DeviceSetValidator.ForRoomSend, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The other members of a room, or null when <paramref name="userId"/> is not a member.</summary>
    public async Task<IReadOnlyList<Guid>?> OtherMembersAsync(Guid roomId, Guid userId, CancellationToken cancellationToken)
    {
        var room = await rooms.FindAsync(roomId, userId, cancellationToken).ConfigureAwait(false);
        return room?.Members.Where(m => m.UserId != userId).Select(m => m.UserId).ToArray();
    }

    /// <summary>Users who share a room with <paramref name="userId"/>.</summary>
    public Task<IReadOnlyList<Guid>> PeersAsync(Guid userId, CancellationToken cancellationToken) =>
        rooms.PeersAsync(userId, cancellationToken);

    private DomainException RoomFull() =>
        DomainException.Conflict(ErrorCodes.RoomFull, $"A room holds at most {options.MaxMembers} members.");

    private Room Check(RoomChange change) => change.Status switch
    {
        RoomChangeStatus.Done or RoomChangeStatus.Unchanged => change.Room
            ?? throw new InvalidOperationException("The room store reported a change without the room."),
        RoomChangeStatus.RoomNotFound => throw RoomRules.NotFound(),
        RoomChangeStatus.NotAdmin => throw DomainException.Forbidden(ErrorCodes.NotRoomAdmin,
            "Only the room's admins may do this; a member may only remove themselves."),
        RoomChangeStatus.MemberNotFound => throw DomainException.NotFound(ErrorCodes.RoomMemberNotFound,
            "That user is not a member of the room."),
        RoomChangeStatus.UserNotFound => throw new DomainException(ErrorKind.NotFound, ErrorCodes.UserNotFound,
            "No such user.", new Dictionary<string, object?> { ["userId"] = change.UserId }),
        RoomChangeStatus.RoomFull => throw RoomFull(),
        RoomChangeStatus.TooManyRooms => throw new DomainException(ErrorKind.Conflict, ErrorCodes.TooManyRooms,
            $"A user may be in at most {options.MaxRoomsPerUser} rooms.",
            new Dictionary<string, object?> { ["userId"] = change.UserId }),
        _ => throw new InvalidOperationException($"Unknown room change status {change.Status}."),
    };

    private static Guid[] Audience(Room room, Guid? also = null)
    {
        var users = new List<Guid>(room.Members.Count + 1);
        foreach (var member in room.Members)
        {
            users.Add(member.UserId);
        }
        if (also is { } extra && !users.Contains(extra))
        {
            users.Add(extra);
        }
        return [.. users];
    }

    private ValueTask PublishAsync(Room room, RoomEventKind kind, Guid? userId, string? name, IReadOnlyList<Guid> audience,
        CancellationToken cancellationToken) =>
        audience.Count == 0
            ? ValueTask.CompletedTask
            : events.PublishAsync(new RoomEvent(room.RoomId, kind, userId, name, clock.GetUtcNow().ToUnixTimeMilliseconds()),
                audience, cancellationToken);
}
