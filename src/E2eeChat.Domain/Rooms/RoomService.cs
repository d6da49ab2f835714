using E2eeChat.Domain.Errors;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Domain.Rooms;

/// <summary>
/// Rooms (DESIGN §6): lifecycle, invitations, membership and sends to every member device. The store applies each
/// change atomically; this service validates input, turns refusals into errors and tells those concerned what changed.
/// </summary>
public sealed class RoomService(
    IRoomStore rooms,
    MessageService messages,
    IRoomEvents events,
    RoomOptions options,
    MessagingOptions messaging,
    TimeProvider clock)
{
    /// <summary>Creates the room with the creator as its admin and invites <paramref name="memberIds"/>.</summary>
    public async Task<Room> CreateAsync(Guid creatorId, string? name, IReadOnlyList<Guid>? memberIds,
        CancellationToken cancellationToken)
    {
        var validName = RoomRules.ValidateName(name);
        var invitees = RoomRules.Invitees(creatorId, memberIds);
        if (1 + invitees.Count > options.MaxMembers)
        {
            throw RoomFull();
        }
        var now = clock.GetUtcNow();
        var invitations = new RoomInvitation[invitees.Count];
        for (var i = 0; i < invitations.Length; i++)
        {
            invitations[i] = new RoomInvitation(invitees[i], RoomRole.Member, creatorId, now);
        }
        var draft = new Room(Guid.NewGuid(), validName, [new RoomMember(creatorId, RoomRole.Admin, now)], now)
        {
            Invitations = invitations,
        };
        var room = Check(await rooms.CreateAsync(draft, options.MaxRoomsPerUser, options.MaxPendingInvitationsPerUser,
            cancellationToken).ConfigureAwait(false));
        await PublishAsync(Event(room, RoomEventKind.Created, name: room.Name), Audience(room), cancellationToken).ConfigureAwait(false);
        foreach (var invitation in room.Invitations)
        {
            await PublishAsync(Event(room, RoomEventKind.Invited, invitation.UserId, room.Name, creatorId),
                Audience(room, invitation.UserId), cancellationToken).ConfigureAwait(false);
        }
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
        await PublishAsync(Event(room, RoomEventKind.Renamed, name: room.Name), Audience(room), cancellationToken).ConfigureAwait(false);
        return room;
    }

    /// <summary>Admins delete the room; its members and its invitees hear it.</summary>
    public async Task DeleteAsync(Guid roomId, Guid callerId, CancellationToken cancellationToken)
    {
        var room = Check(await rooms.DeleteAsync(roomId, callerId, cancellationToken).ConfigureAwait(false));
        await PublishAsync(Event(room, RoomEventKind.Deleted), [.. Audience(room), .. Invitees(room)], cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Admins invite; the user becomes a member only by accepting. Inviting a member or an invitee changes nothing.</summary>
    public async Task InviteAsync(Guid roomId, Guid callerId, Guid? userId, RoomRole? role, CancellationToken cancellationToken)
    {
        if (userId is not { } user)
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidRequest, "userId is required.");
        }
        if (role is { } given && !Enum.IsDefined(given))
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidRequest, "role must be \"member\" or \"admin\".");
        }
        var invitation = new RoomInvitation(user, role ?? RoomRole.Member, callerId, clock.GetUtcNow());
        var change = await rooms.InviteAsync(roomId, callerId, invitation, options.MaxMembers, options.MaxPendingInvitationsPerUser,
            cancellationToken).ConfigureAwait(false);
        if (change.Status == RoomChangeStatus.Unchanged)
        {
            return;
        }
        var room = Check(change);
        await PublishAsync(Event(room, RoomEventKind.Invited, user, room.Name, callerId), Audience(room, user), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The caller's pending invitations, oldest first.</summary>
    public Task<IReadOnlyList<PendingInvitation>> InvitationsAsync(Guid userId, CancellationToken cancellationToken) =>
        rooms.InvitationsAsync(userId, cancellationToken);

    /// <summary>The invitee joins with the invited role; refused at the room limit, with the invitation kept.</summary>
    public async Task<Room> AcceptAsync(Guid roomId, Guid userId, CancellationToken cancellationToken)
    {
        var room = Check(await rooms.AcceptAsync(roomId, userId, clock.GetUtcNow(), options.MaxMembers, options.MaxRoomsPerUser,
            cancellationToken).ConfigureAwait(false));
        await PublishAsync(Event(room, RoomEventKind.Joined, userId), Audience(room), cancellationToken).ConfigureAwait(false);
        return room;
    }

    public async Task DeclineAsync(Guid roomId, Guid userId, CancellationToken cancellationToken)
    {
        var room = Check(await rooms.DeclineAsync(roomId, userId, cancellationToken).ConfigureAwait(false));
        // The invitee's other devices hear it too, so they drop the invitation.
        await PublishAsync(Event(room, RoomEventKind.Declined, userId), Audience(room, userId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Admins remove anyone and withdraw invitations; a member removing themselves leaves.</summary>
    public async Task RemoveMemberAsync(Guid roomId, Guid callerId, Guid userId, CancellationToken cancellationToken)
    {
        var change = await rooms.RemoveMemberAsync(roomId, callerId, userId, cancellationToken).ConfigureAwait(false);
        var room = Check(change);
        if (change.Uninvited)
        {
            await PublishAsync(Event(room, RoomEventKind.Uninvited, userId, by: callerId), Audience(room, userId), cancellationToken)
                .ConfigureAwait(false);
            return;
        }
        // The one who went hears it too, so their devices drop the room and its sender keys.
        var roomEvent = userId == callerId
            ? Event(room, RoomEventKind.Left, userId)
            : Event(room, RoomEventKind.Removed, userId, by: callerId);
        await PublishAsync(roomEvent, Audience(room, userId), cancellationToken).ConfigureAwait(false);
        if (change.PromotedUserId is { } promoted)
        {
            await PublishAsync(Event(room, RoomEventKind.Promoted, promoted), Audience(room), cancellationToken).ConfigureAwait(false);
        }
        if (change.Deleted)
        {
            // The last member left: the invitations went with the room.
            await PublishAsync(Event(room, RoomEventKind.Deleted), Invitees(room), cancellationToken).ConfigureAwait(false);
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

    private DomainException RoomFull() =>
        DomainException.Conflict(ErrorCodes.RoomFull, $"A room holds at most {options.MaxMembers} members and invitees.");

    private Room Check(RoomChange change) => change.Status switch
    {
        RoomChangeStatus.Done or RoomChangeStatus.Unchanged => change.Room
            ?? throw new InvalidOperationException("The room store reported a change without the room."),
        RoomChangeStatus.RoomNotFound => throw RoomRules.NotFound(),
        RoomChangeStatus.NotAdmin => throw DomainException.Forbidden(ErrorCodes.NotRoomAdmin,
            "Only the room's admins may do this; a member may only remove themselves."),
        RoomChangeStatus.MemberNotFound => throw DomainException.NotFound(ErrorCodes.RoomMemberNotFound,
            "That user is neither a member of the room nor invited to it."),
        RoomChangeStatus.UserNotFound => throw new DomainException(ErrorKind.NotFound, ErrorCodes.UserNotFound,
            "No such user.", new Dictionary<string, object?> { ["userId"] = change.UserId }),
        RoomChangeStatus.RoomFull => throw RoomFull(),
        RoomChangeStatus.TooManyRooms => throw new DomainException(ErrorKind.Conflict, ErrorCodes.TooManyRooms,
            $"A user may be a member of at most {options.MaxRoomsPerUser} rooms.",
            new Dictionary<string, object?> { ["userId"] = change.UserId }),
        RoomChangeStatus.TooManyInvitations => throw new DomainException(ErrorKind.Conflict, ErrorCodes.TooManyInvitations,
            $"A user may hold at most {options.MaxPendingInvitationsPerUser} pending invitations.",
            new Dictionary<string, object?> { ["userId"] = change.UserId }),
        RoomChangeStatus.InvitationNotFound => throw DomainException.NotFound(ErrorCodes.InvitationNotFound,
            "You have no pending invitation to that room."),
        _ => throw new InvalidOperationException($"Unknown room change status {change.Status}."),
    };

    /// <summary>The room's members, and <paramref name="also"/> (a user who went, or an invitee).</summary>
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

    private static Guid[] Invitees(Room room)
    {
        var users = new Guid[room.Invitations.Count];
        for (var i = 0; i < users.Length; i++)
        {
            users[i] = room.Invitations[i].UserId;
        }
        return users;
    }

    private RoomEvent Event(Room room, RoomEventKind kind, Guid? userId = null, string? name = null, Guid? by = null) =>
        new(room.RoomId, kind, userId, name, clock.GetUtcNow().ToUnixTimeMilliseconds(), by);

    private ValueTask PublishAsync(RoomEvent roomEvent, IReadOnlyList<Guid> audience, CancellationToken cancellationToken) =>
        audience.Count == 0 ? ValueTask.CompletedTask : events.PublishAsync(roomEvent, audience, cancellationToken);
}
