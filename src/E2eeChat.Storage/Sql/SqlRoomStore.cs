using System.Data.Common;
using System.Globalization;
using System.Text;
using E2eeChat.Domain.Rooms;

namespace E2eeChat.Storage.Sql;

/// <summary>
/// Rooms and their members. Every write, and every room send (<see cref="SqlMailboxStore"/>), first locks the
/// room's row, then reads the members in a later statement: under READ COMMITTED that statement's snapshot
/// starts after the lock was granted, so it sees every membership change committed before and none can commit
/// until this transaction ends. A send therefore addresses exactly the members of one moment: it cannot reach
/// a member removed before it, nor miss one added before it. SQLite serialises write transactions already.
/// </summary>
internal sealed class SqlRoomStore(SqlDialect dialect) : IRoomStore
{
    private const string RoomColumns = "r.room_id, r.name, r.created_at, m.user_id, m.role, m.joined_at";
    // Join order: position counts up per room (the creator is 0), so the first member listed is the oldest.
    private const string MemberOrder = "m.position";

    /// <summary>Takes the room's lock inside a write transaction; returns no row when the room is gone.</summary>
    public static string LockSql(SqlDialect dialect) => $"SELECT room_id FROM rooms WHERE room_id = @room{dialect.ForUpdate}";

    public async Task<RoomChange> CreateAsync(Room room, int maxRoomsPerUser, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        var users = new Guid[room.Members.Count];
        for (var i = 0; i < users.Length; i++)
        {
            users[i] = room.Members[i].UserId;
        }
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

        // The member accounts are locked in key order, so concurrent creates and adds count each user's rooms one at a time.
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
                return new RoomChange(RoomChangeStatus.UserNotFound, UserId: user);
            }
        }
        await using (var counts = connection.Command(string.Empty, transaction))
        {
            counts.CommandText = $"""
                SELECT user_id FROM room_members WHERE {dialect.AnyOf(counts, "user_id", "users", users)}
                GROUP BY user_id HAVING COUNT(*) >= @max ORDER BY user_id
                """;
            await using var reader = await counts.With("max", maxRoomsPerUser).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new RoomChange(RoomChangeStatus.TooManyRooms, UserId: reader.GetGuid(0));
            }
        }

        await using (var insert = connection.Command(string.Empty, transaction))
        {
            var sql = new StringBuilder("INSERT INTO rooms (room_id, name, created_at) VALUES (@room, @name, @created);\n")
                .Append("INSERT INTO room_members (room_id, user_id, role, joined_at, position) VALUES ");
            insert.With("room", room.RoomId).With("name", room.Name).With("created", room.CreatedAt.ToUnixMs());
            for (var i = 0; i < room.Members.Count; i++)
            {
                var n = i.ToString(CultureInfo.InvariantCulture);
                var member = room.Members[i];
                insert.With("u" + n, member.UserId).With("r" + n, (int)member.Role).With("j" + n, member.JoinedAt.ToUnixMs());
                sql.Append(i == 0 ? "(" : ", (").Append("@room, @u").Append(n).Append(", @r").Append(n).Append(", @j").Append(n)
                    .Append(", ").Append(n).Append(')');
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
            ORDER BY {MemberOrder}
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
            ORDER BY r.created_at, r.room_id, {MemberOrder}
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

    public async Task<RoomChange> AddMemberAsync(Guid roomId, Guid callerId, RoomMember member, int maxMembers, int maxRoomsPerUser,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(member);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var room = await LockAsync(connection, transaction, roomId, cancellationToken).ConfigureAwait(false);
        if (Refuse(room, callerId, adminOnly: true) is { } refused)
        {
            return refused;
        }
        if (IndexOf(room!, member.UserId) >= 0)
        {
            return new RoomChange(RoomChangeStatus.Unchanged, room);
        }
        if (room!.Members.Count >= maxMembers)
        {
            return new RoomChange(RoomChangeStatus.RoomFull, room);
        }
        // Locking the account serialises this user's joins across rooms, so the per-user cap cannot be overshot.
        await using (var lockAccount = connection.Command($"SELECT user_id FROM accounts WHERE user_id = @user{dialect.ForUpdate}", transaction))
        {
            if (await lockAccount.With("user", member.UserId).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return new RoomChange(RoomChangeStatus.UserNotFound, room, member.UserId);
            }
        }
        await using (var count = connection.Command("SELECT COUNT(*) FROM room_members WHERE user_id = @user", transaction))
        {
            var rooms = Convert.ToInt64(await count.With("user", member.UserId).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false),
                CultureInfo.InvariantCulture);
            if (rooms >= maxRoomsPerUser)
            {
                return new RoomChange(RoomChangeStatus.TooManyRooms, room, member.UserId);
            }
        }
        await using (var insert = connection.Command("""
            INSERT INTO room_members (room_id, user_id, role, joined_at, position)
            SELECT @room, @user, @role, @joined, COALESCE(MAX(position), -1) + 1 FROM room_members WHERE room_id = @room
            """, transaction))
        {
            await insert.With("room", roomId).With("user", member.UserId).With("role", (int)member.Role)
                .With("joined", member.JoinedAt.ToUnixMs()).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RoomChange(RoomChangeStatus.Done, room with { Members = [.. room.Members, member] });
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
            return new RoomChange(RoomChangeStatus.MemberNotFound, room);
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

    /// <summary>Locks the room, then reads it in a second statement (see the class comment); null when it is gone.</summary>
    private async Task<Room?> LockAsync(DbConnection connection, DbTransaction transaction, Guid roomId, CancellationToken cancellationToken)
    {
        await using (var lockRoom = connection.Command(LockSql(dialect), transaction))
        {
            if (await lockRoom.With("room", roomId).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }
        }
        await using var read = connection.Command($"""
            SELECT {RoomColumns} FROM rooms r JOIN room_members m ON m.room_id = r.room_id
            WHERE r.room_id = @room ORDER BY {MemberOrder}
            """, transaction);
        var rooms = await ReadRoomsAsync(read.With("room", roomId), cancellationToken).ConfigureAwait(false);
        return rooms.Count == 0 ? null : rooms[0];
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

    private static async Task DeleteRoomAsync(DbConnection connection, DbTransaction transaction, Guid roomId,
        CancellationToken cancellationToken)
    {
        await using var delete = connection.Command("DELETE FROM rooms WHERE room_id = @room", transaction);
        await delete.With("room", roomId).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rooms from rows of <see cref="RoomColumns"/>, grouped by room in row order.</summary>
    private static async Task<List<Room>> ReadRoomsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
        return rooms;
    }
}
