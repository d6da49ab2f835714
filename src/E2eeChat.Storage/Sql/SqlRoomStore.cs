using System.Data.Common;
using System.Globalization;
using System.Text;
using E2eeChat.Domain.Rooms;

namespace E2eeChat.Storage.Sql;

/// <summary>
/// Rooms, their members and their pending invitations. Every write, and every room send (<see cref="SqlMailboxStore"/>),
/// first locks the room's row, then reads the members in a later statement: under READ COMMITTED that statement's
/// snapshot starts after the lock was granted, so it sees every membership change committed before and none can commit
/// until this transaction ends. A send therefore addresses exactly the members of one moment: it cannot reach a member
/// removed before it, nor miss one who joined before it. Per-user counts (rooms joined, invitations pending) are read
/// after locking the user's account row, so concurrent joins and invitations across rooms cannot overshoot them.
/// Locks are taken room first, then accounts in key order. SQLite serialises write transactions already.
/// </summary>
internal sealed class SqlRoomStore(SqlDialect dialect) : IRoomStore
{
    private const string RoomColumns = "r.room_id, r.name, r.created_at, m.user_id, m.role, m.joined_at";
    // Join order: position counts up per room (the creator is 0), so the first member listed is the oldest.
    private const string MemberOrder = "m.position";
    private const string InvitationColumns = "i.room_id, i.user_id, i.role, i.invited_by, i.invited_at";
    private const string InvitationOrder = "i.invited_at, i.user_id";

    /// <summary>Takes the room's lock inside a write transaction; returns no row when the room is gone.</summary>
    public static string LockSql(SqlDialect dialect) => $"SELECT room_id FROM rooms WHERE room_id = @room{dialect.ForUpdate}";

    public async Task<RoomChange> CreateAsync(Room room, int maxRoomsPerUser, int maxPendingInvitations,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        if (room.Members.Count != 1 || room.Members[0].Role != RoomRole.Admin)
        {
            throw new ArgumentException("A room starts with its creator as its one member, an admin; everyone else is invited.",
                nameof(room));
        }
        var creator = room.Members[0].UserId;
        var invitees = new Guid[room.Invitations.Count];
        for (var i = 0; i < invitees.Length; i++)
        {
            invitees[i] = room.Invitations[i].UserId;
        }
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

        if (await LockAccountsAsync(connection, transaction, [creator, .. invitees], cancellationToken).ConfigureAwait(false) is { } unknown)
        {
            return new RoomChange(RoomChangeStatus.UserNotFound, UserId: unknown);
        }
        if (await CountRoomsAsync(connection, transaction, creator, cancellationToken).ConfigureAwait(false) >= maxRoomsPerUser)
        {
            return new RoomChange(RoomChangeStatus.TooManyRooms, UserId: creator);
        }
        if (invitees.Length > 0)
        {
            await using var pending = connection.Command(string.Empty, transaction);
            pending.CommandText = $"""
                SELECT user_id FROM room_invitations WHERE {dialect.AnyOf(pending, "user_id", "users", invitees)}
                GROUP BY user_id HAVING COUNT(*) >= @max ORDER BY user_id
                """;
            await using var reader = await pending.With("max", maxPendingInvitations).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new RoomChange(RoomChangeStatus.TooManyInvitations, UserId: reader.GetGuid(0));
            }
        }

        await using (var insert = connection.Command(string.Empty, transaction))
        {
            var sql = new StringBuilder("""
                INSERT INTO rooms (room_id, name, created_at) VALUES (@room, @name, @created);
                INSERT INTO room_members (room_id, user_id, role, joined_at, position) VALUES (@room, @creator, @admin, @created, 0);
                """);
            insert.With("room", room.RoomId).With("name", room.Name).With("created", room.CreatedAt.ToUnixMs())
                .With("creator", creator).With("admin", (int)RoomRole.Admin);
            for (var i = 0; i < room.Invitations.Count; i++)
            {
                var n = i.ToString(CultureInfo.InvariantCulture);
                var invitation = room.Invitations[i];
                insert.With("u" + n, invitation.UserId).With("r" + n, (int)invitation.Role).With("b" + n, invitation.InvitedBy)
                    .With("t" + n, invitation.InvitedAt.ToUnixMs());
                sql.Append(i == 0 ? "\nINSERT INTO room_invitations (room_id, user_id, role, invited_by, invited_at) VALUES (" : ", (")
                    .Append("@room, @u").Append(n).Append(", @r").Append(n).Append(", @b").Append(n).Append(", @t").Append(n).Append(')');
            }
            insert.CommandText = sql.ToString();
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RoomChange(RoomChangeStatus.Done, room);
    }

    public async Task<Room?> FindAsync(Guid roomId, Guid memberId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command($"""
            SELECT {RoomColumns} FROM rooms r JOIN room_members m ON m.room_id = r.room_id
            WHERE r.room_id = @room
              AND EXISTS (SELECT 1 FROM room_members me WHERE me.room_id = r.room_id AND me.user_id = @member)
            ORDER BY {MemberOrder};
            SELECT {InvitationColumns} FROM room_invitations i
            WHERE i.room_id = @room
              AND EXISTS (SELECT 1 FROM room_members me WHERE me.room_id = i.room_id AND me.user_id = @member)
            ORDER BY {InvitationOrder};
            """);
        var rooms = await ReadRoomsAsync(command.With("room", roomId).With("member", memberId), cancellationToken).ConfigureAwait(false);
        return rooms.Count == 0 ? null : rooms[0];
    }

    public async Task<IReadOnlyList<Room>> ListAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command($"""
            SELECT {RoomColumns}
            FROM room_members me JOIN rooms r ON r.room_id = me.room_id JOIN room_members m ON m.room_id = r.room_id
            WHERE me.user_id = @user
            ORDER BY r.created_at, r.room_id, {MemberOrder};
            SELECT {InvitationColumns} FROM room_members me JOIN room_invitations i ON i.room_id = me.room_id
            WHERE me.user_id = @user
            ORDER BY {InvitationOrder};
            """);
        return await ReadRoomsAsync(command.With("user", userId), cancellationToken).ConfigureAwait(false);
    }

    public async Task<RoomChange> RenameAsync(Guid roomId, Guid callerId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var room = await LockAsync(connection, transaction, roomId, cancellationToken).ConfigureAwait(false);
        if (Refuse(room, callerId, adminOnly: true) is { } refused)
        {
            return refused;
        }
        await using (var update = connection.Command("UPDATE rooms SET name = @name WHERE room_id = @room", transaction))
        {
            await update.With("name", name).With("room", roomId).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RoomChange(RoomChangeStatus.Done, room! with { Name = name });
    }

    public async Task<RoomChange> DeleteAsync(Guid roomId, Guid callerId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var room = await LockAsync(connection, transaction, roomId, cancellationToken).ConfigureAwait(false);
        if (Refuse(room, callerId, adminOnly: true) is { } refused)
        {
            return refused;
        }
        await DeleteRoomAsync(connection, transaction, roomId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RoomChange(RoomChangeStatus.Done, room, Deleted: true);
    }

    public async Task<RoomChange> InviteAsync(Guid roomId, Guid callerId, RoomInvitation invitation, int maxMembers,
        int maxPendingInvitations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invitation);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var room = await LockAsync(connection, transaction, roomId, cancellationToken).ConfigureAwait(false);
        if (Refuse(room, callerId, adminOnly: true) is { } refused)
        {
            return refused;
        }
        if (room!.IsMember(invitation.UserId) || room.InvitationOf(invitation.UserId) is not null)
        {
            return new RoomChange(RoomChangeStatus.Unchanged, room);
        }
        // Invitations hold seats: accepting never finds the room full, and one room's invitations are bounded.
        if (room.Members.Count + room.Invitations.Count >= maxMembers)
        {
            return new RoomChange(RoomChangeStatus.RoomFull, room);
        }
        await using (var count = connection.Command($"""
            SELECT user_id FROM accounts WHERE user_id = @user{dialect.ForUpdate};
            SELECT COUNT(*) FROM room_invitations WHERE user_id = @user;
            """, transaction))
        {
            await using var reader = await count.With("user", invitation.UserId).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new RoomChange(RoomChangeStatus.UserNotFound, room, invitation.UserId);
            }
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetInt64(0) >= maxPendingInvitations)
            {
                return new RoomChange(RoomChangeStatus.TooManyInvitations, room, invitation.UserId);
            }
        }
        await using (var insert = connection.Command("""
            INSERT INTO room_invitations (room_id, user_id, role, invited_by, invited_at) VALUES (@room, @user, @role, @by, @at)
            """, transaction))
        {
            await insert.With("room", roomId).With("user", invitation.UserId).With("role", (int)invitation.Role)
                .With("by", invitation.InvitedBy).With("at", invitation.InvitedAt.ToUnixMs())
                .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RoomChange(RoomChangeStatus.Done, room with { Invitations = [.. room.Invitations, invitation] });
    }

    public async Task<RoomChange> AcceptAsync(Guid roomId, Guid userId, DateTimeOffset joinedAt, int maxMembers, int maxRoomsPerUser,
        CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var room = await LockAsync(connection, transaction, roomId, cancellationToken).ConfigureAwait(false);
        if (room?.InvitationOf(userId) is not { } invitation)
        {
            return new RoomChange(RoomChangeStatus.InvitationNotFound);
        }
        if (room.Members.Count >= maxMembers)
        {
            return new RoomChange(RoomChangeStatus.RoomFull);
        }
        await LockAccountsAsync(connection, transaction, [userId], cancellationToken).ConfigureAwait(false);
        if (await CountRoomsAsync(connection, transaction, userId, cancellationToken).ConfigureAwait(false) >= maxRoomsPerUser)
        {
            return new RoomChange(RoomChangeStatus.TooManyRooms, UserId: userId);
        }
        var member = new RoomMember(userId, invitation.Role, joinedAt);
        await using (var join = connection.Command("""
            INSERT INTO room_members (room_id, user_id, role, joined_at, position)
            SELECT @room, @user, @role, @joined, COALESCE(MAX(position), -1) + 1 FROM room_members WHERE room_id = @room;
            DELETE FROM room_invitations WHERE room_id = @room AND user_id = @user;
            """, transaction))
        {
            await join.With("room", roomId).With("user", userId).With("role", (int)member.Role)
                .With("joined", member.JoinedAt.ToUnixMs()).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RoomChange(RoomChangeStatus.Done, room with { Members = [.. room.Members, member], Invitations = Without(room, userId) });
    }

    public async Task<RoomChange> DeclineAsync(Guid roomId, Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var room = await LockAsync(connection, transaction, roomId, cancellationToken).ConfigureAwait(false);
        if (room?.InvitationOf(userId) is null)
        {
            return new RoomChange(RoomChangeStatus.InvitationNotFound);
        }
        await DeleteInvitationAsync(connection, transaction, roomId, userId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RoomChange(RoomChangeStatus.Done, room with { Invitations = Without(room, userId) });
    }

    public async Task<IReadOnlyList<PendingInvitation>> InvitationsAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("""
            SELECT i.room_id, r.name, i.role, i.invited_by, i.invited_at
            FROM room_invitations i JOIN rooms r ON r.room_id = i.room_id
            WHERE i.user_id = @user
            ORDER BY i.invited_at, i.room_id
            """);
        await using var reader = await command.With("user", userId).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var invitations = new List<PendingInvitation>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            invitations.Add(new PendingInvitation(reader.GetGuid(0), reader.GetString(1), (RoomRole)reader.GetInt32(2),
                reader.GetGuid(3), reader.GetTime(4)));
        }
        return invitations;
    }

    public async Task<RoomChange> RemoveMemberAsync(Guid roomId, Guid callerId, Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var room = await LockAsync(connection, transaction, roomId, cancellationToken).ConfigureAwait(false);
        if (Refuse(room, callerId, adminOnly: userId != callerId) is { } refused)
        {
            return refused;
        }
        var index = IndexOf(room!, userId);
        if (index < 0)
        {
            if (room!.InvitationOf(userId) is null)
            {
                return new RoomChange(RoomChangeStatus.MemberNotFound, room);
            }
            // The caller is an admin (refused above otherwise): withdrawing an invitation.
            await DeleteInvitationAsync(connection, transaction, roomId, userId, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new RoomChange(RoomChangeStatus.Done, room with { Invitations = Without(room, userId) }, Uninvited: true);
        }
        var remaining = new List<RoomMember>(room!.Members);
        remaining.RemoveAt(index);
        Guid? promoted = null;
        if (remaining.Count == 0)
        {
            await DeleteRoomAsync(connection, transaction, roomId, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (!remaining.Exists(m => m.Role == RoomRole.Admin))
            {
                // The members are in join order: the first is the oldest.
                remaining[0] = remaining[0] with { Role = RoomRole.Admin };
                promoted = remaining[0].UserId;
            }
            await using var update = connection.Command("""
                DELETE FROM room_members WHERE room_id = @room AND user_id = @user;
                UPDATE room_members SET role = @admin WHERE room_id = @room AND user_id = @promoted;
                """, transaction);
            await update.With("room", roomId).With("user", userId).With("admin", (int)RoomRole.Admin).With("promoted", promoted)
                .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        // When the room went, its invitations are still listed: the service tells the invitees.
        return new RoomChange(RoomChangeStatus.Done, room with { Members = remaining }, PromotedUserId: promoted,
            Deleted: remaining.Count == 0);
    }

    public async Task<IReadOnlyList<Guid>> PeersAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("""
            SELECT DISTINCT m.user_id FROM room_members me JOIN room_members m ON m.room_id = me.room_id
            WHERE me.user_id = @user AND m.user_id <> @user
            """);
        await using var reader = await command.With("user", userId).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var peers = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            peers.Add(reader.GetGuid(0));
        }
        return peers;
    }

    /// <summary>
    /// Locks the room, then reads its members and invitations in later statements of the same round trip (see the class
    /// comment); null when it is gone.
    /// </summary>
    private async Task<Room?> LockAsync(DbConnection connection, DbTransaction transaction, Guid roomId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"""
            {LockSql(dialect)};
            SELECT {RoomColumns} FROM rooms r JOIN room_members m ON m.room_id = r.room_id
            WHERE r.room_id = @room ORDER BY {MemberOrder};
            SELECT {InvitationColumns} FROM room_invitations i WHERE i.room_id = @room ORDER BY {InvitationOrder};
            """, transaction);
        var rooms = await ReadRoomsAsync(command.With("room", roomId), cancellationToken, afterLock: true).ConfigureAwait(false);
        return rooms.Count == 0 ? null : rooms[0];
    }

    /// <summary>
    /// Locks the accounts of <paramref name="users"/> in key order, so that concurrent writes count each user's rooms and
    /// invitations one at a time; returns a user who has no account, or null.
    /// </summary>
    private async Task<Guid?> LockAccountsAsync(DbConnection connection, DbTransaction transaction, Guid[] users,
        CancellationToken cancellationToken)
    {
        var found = new HashSet<Guid>();
        await using (var lockAccounts = connection.Command(string.Empty, transaction))
        {
            lockAccounts.CommandText =
                $"SELECT user_id FROM accounts WHERE {dialect.AnyOf(lockAccounts, "user_id", "users", users)} ORDER BY user_id{dialect.ForUpdate}";
            await using var reader = await lockAccounts.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found.Add(reader.GetGuid(0));
            }
        }
        foreach (var user in users)
        {
            if (!found.Contains(user))
            {
                return user;
            }
        }
        return null;
    }

    /// <summary>The rooms <paramref name="userId"/> is a member of; read after their account is locked.</summary>
    private static async Task<long> CountRoomsAsync(DbConnection connection, DbTransaction transaction, Guid userId,
        CancellationToken cancellationToken)
    {
        await using var count = connection.Command("SELECT COUNT(*) FROM room_members WHERE user_id = @user", transaction);
        return Convert.ToInt64(await count.With("user", userId).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false),
            CultureInfo.InvariantCulture);
    }

    /// <summary>Why <paramref name="callerId"/> may not change <paramref name="room"/>; null when they may.</summary>
    private static RoomChange? Refuse(Room? room, Guid callerId, bool adminOnly)
    {
        var caller = room is null ? -1 : IndexOf(room, callerId);
        if (caller < 0)
        {
            return new RoomChange(RoomChangeStatus.RoomNotFound);
        }
        return adminOnly && room!.Members[caller].Role != RoomRole.Admin ? new RoomChange(RoomChangeStatus.NotAdmin, room) : null;
    }

    private static int IndexOf(Room room, Guid userId)
    {
        for (var i = 0; i < room.Members.Count; i++)
        {
            if (room.Members[i].UserId == userId)
            {
                return i;
            }
        }
        return -1;
    }

    private static RoomInvitation[] Without(Room room, Guid userId) => [.. room.Invitations.Where(i => i.UserId != userId)];

    private static async Task DeleteRoomAsync(DbConnection connection, DbTransaction transaction, Guid roomId,
        CancellationToken cancellationToken)
    {
        // Members and invitations go with it (ON DELETE CASCADE).
        await using var delete = connection.Command("DELETE FROM rooms WHERE room_id = @room", transaction);
        await delete.With("room", roomId).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task DeleteInvitationAsync(DbConnection connection, DbTransaction transaction, Guid roomId, Guid userId,
        CancellationToken cancellationToken)
    {
        await using var delete = connection.Command("DELETE FROM room_invitations WHERE room_id = @room AND user_id = @user", transaction);
        await delete.With("room", roomId).With("user", userId).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rooms from two result sets: rows of <see cref="RoomColumns"/>, grouped by room in row order, then rows of
    /// <see cref="InvitationColumns"/>. With <paramref name="afterLock"/>, a first result set (the lock's row) comes before.
    /// </summary>
    private static async Task<List<Room>> ReadRoomsAsync(DbCommand command, CancellationToken cancellationToken, bool afterLock = false)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (afterLock)
        {
            var exists = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            if (!exists)
            {
                return [];
            }
        }
        var rooms = new List<Room>();
        List<RoomMember>? members = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var roomId = reader.GetGuid(0);
            if (rooms.Count == 0 || rooms[^1].RoomId != roomId)
            {
                members = [];
                rooms.Add(new Room(roomId, reader.GetString(1), members, reader.GetTime(2)));
            }
            members!.Add(new RoomMember(reader.GetGuid(3), (RoomRole)reader.GetInt32(4), reader.GetTime(5)));
        }
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        Dictionary<Guid, List<RoomInvitation>>? invitations = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            invitations ??= [];
            var roomId = reader.GetGuid(0);
            if (!invitations.TryGetValue(roomId, out var list))
            {
                invitations[roomId] = list = [];
            }
            list.Add(new RoomInvitation(reader.GetGuid(1), (RoomRole)reader.GetInt32(2), reader.GetGuid(3), reader.GetTime(4)));
        }
        if (invitations is not null)
        {
            for (var i = 0; i < rooms.Count; i++)
            {
                if (invitations.TryGetValue(rooms[i].RoomId, out var list))
                {
                    rooms[i] = rooms[i] with { Invitations = list };
                }
            }
        }
        return rooms;
    }
}
