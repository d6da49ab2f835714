using System.Data.Common;
using System.Globalization;
using System.Text;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Storage.Sql;

/// <summary>
/// Per-device mailboxes. A send locks its destination devices in a fixed order and advances
/// their mailbox sequences, which both checks the device set under lock and gives every
/// device a gap-free delivery order; then all envelopes go in with one batched statement.
/// </summary>
internal sealed class SqlMailboxStore(SqlDialect dialect) : IMailboxStore
{
    private const string EnvelopeColumns =
        "id, user_id, device_id, seq, message_id, type, source_user, source_device, room_id, client_timestamp, server_timestamp, content, expires_at";

    // Mutuality is read here, not kept by the send: a direct send only adds its own direction (one insert-if-absent),
    // and both reads are primary-key probes (presence: the user's rows, then one probe per row for the way back).
    private const string MutualJoin = """
        SELECT sent.recipient_user FROM direct_contacts sent
        JOIN direct_contacts back ON back.sender_user = sent.recipient_user AND back.recipient_user = sent.sender_user
        WHERE sent.sender_user = @user
        """;

    private const string AreMutual = MutualJoin + " AND sent.recipient_user = @peer";

    public async Task<StoreOutcome> StoreAsync(MailboxBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (batch.IdempotencyKey is not null
            && await FindDuplicateAsync(connection, null, batch, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return Duplicate(earlier);
        }

        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var (current, senderDevices) = await AdvanceSequencesAsync(connection, transaction, batch, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return new StoreOutcome(StoreOutcomeKind.NotRoomMember, null, [], []);
        }
        if (!Covers(current, batch.Envelopes))
        {
            var devices = new DeviceAddress[current.Count];
            var i = 0;
            foreach (var (key, value) in current)
            {
                devices[i++] = new DeviceAddress(key.UserId, key.DeviceId, value.RegistrationId);
            }
            return new StoreOutcome(StoreOutcomeKind.DevicesChanged, null, [], devices);
        }

        var result = new SendResult(batch.MessageId, batch.ServerTimestamp, NeedsSync: senderDevices > 1);
        if (!await InsertMessageAsync(connection, transaction, batch, result.NeedsSync, cancellationToken).ConfigureAwait(false))
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return Duplicate(await FindDuplicateAsync(connection, null, batch, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("An idempotency key conflicted with a message that is gone."));
        }

        var envelopes = new Envelope[batch.Envelopes.Count];
        for (var i = 0; i < envelopes.Length; i++)
        {
            var pending = batch.Envelopes[i];
            var sequence = current[(pending.Destination.UserId, pending.Destination.DeviceId)].Sequence;
            envelopes[i] = new Envelope(Guid.CreateVersion7(), batch.MessageId, pending.Type, batch.SenderUserId, batch.SenderDeviceId,
                batch.RoomId, pending.Destination.UserId, pending.Destination.DeviceId, sequence, batch.Timestamp,
                batch.ServerTimestamp, pending.Content, batch.ExpiresAt);
        }
        await InsertEnvelopesAsync(connection, transaction, batch, envelopes, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new StoreOutcome(StoreOutcomeKind.Stored, result, envelopes, []);
    }

    public async Task<IReadOnlyList<DeviceAddress>> CurrentDevicesAsync(IReadOnlyList<Guid> users, Guid senderUserId, int senderDeviceId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT user_id, device_id, registration_id FROM devices
            WHERE {dialect.AnyOf(command, "user_id", "users", users)} AND NOT (user_id = @sender AND device_id = @senderDevice)
            """;
        await using var reader = await command.With("sender", senderUserId).With("senderDevice", senderDeviceId)
            .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var devices = new List<DeviceAddress>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            devices.Add(new DeviceAddress(reader.GetGuid(0), reader.GetInt32(1), reader.GetInt32(2)));
        }
        return devices;
    }

    public async Task<IReadOnlyList<Envelope>> ReadAsync(Guid userId, int deviceId, long afterSequence, int limit, long now,
        CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command($"""
            SELECT {EnvelopeColumns} FROM envelopes
            WHERE user_id = @user AND device_id = @device AND seq > @after AND (expires_at IS NULL OR expires_at > @now)
            ORDER BY seq LIMIT @limit
            """);
        await using var reader = await command.With("user", userId).With("device", deviceId).With("after", afterSequence)
            .With("now", now).With("limit", limit).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var envelopes = new List<Envelope>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            envelopes.Add(new Envelope(reader.GetGuid(0), reader.GetGuid(4), reader.GetInt32(5), reader.GetGuid(6), reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetGuid(8), reader.GetGuid(1), reader.GetInt32(2), reader.GetInt64(3),
                reader.GetInt64(9), reader.GetInt64(10), reader.GetBytes(11), reader.IsDBNull(12) ? null : reader.GetInt64(12)));
        }
        return envelopes;
    }

    public async Task<IReadOnlyList<Receipt>> AckAsync(Guid userId, int deviceId, IReadOnlyList<Guid> envelopeIds, long now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopeIds);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var messageIds = new List<Guid>(envelopeIds.Count);
        await using (var delete = connection.Command(string.Empty, transaction))
        {
            delete.CommandText = $"""
                DELETE FROM envelopes WHERE user_id = @user AND device_id = @device AND {dialect.AnyOf(delete, "id", "ids", envelopeIds)}
                RETURNING message_id
                """;
            await using var reader = await delete.With("user", userId).With("device", deviceId)
                .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                messageIds.Add(reader.GetGuid(0));
            }
        }
        var receipts = messageIds.Count == 0
            ? []
            : await AdvanceStatusAsync(connection, transaction, userId, deviceId, messageIds, DeliveryStatus.Delivered, now,
                cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (messageIds.Count > 0)
        {
            await dialect.ScrubDeletedContentAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        return receipts;
    }

    public async Task<IReadOnlyList<Receipt>> MarkReadAsync(Guid userId, int deviceId, IReadOnlyList<Guid> messageIds, long now,
        CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var receipts = await AdvanceStatusAsync(connection, transaction, userId, deviceId, messageIds, DeliveryStatus.Read, now,
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return receipts;
    }

    public async Task<IReadOnlyList<RecipientStatus>?> StatusAsync(Guid messageId, Guid senderUserId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("""
            SELECT r.user_id, r.device_id, r.status, r.updated_at
            FROM messages m JOIN message_recipients r ON r.message_id = m.message_id
            WHERE m.message_id = @message AND m.sender_user = @sender
            ORDER BY r.user_id, r.device_id
            """);
        await using var reader = await command.With("message", messageId).With("sender", senderUserId)
            .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var statuses = new List<RecipientStatus>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            statuses.Add(new RecipientStatus(reader.GetGuid(0), reader.GetInt32(1), (DeliveryStatus)reader.GetInt32(2), reader.GetInt64(3)));
        }
        return statuses.Count == 0 ? null : statuses;
    }

    public async Task<int> DeleteExpiredAsync(long now, long retainedSince, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var envelopes = connection.Command(
            "DELETE FROM envelopes WHERE (expires_at IS NOT NULL AND expires_at <= @now) OR server_timestamp < @since", transaction);
        var deleted = await envelopes.With("now", now).With("since", retainedSince)
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using var messages = connection.Command("DELETE FROM messages WHERE server_timestamp < @since", transaction);
        await messages.With("since", retainedSince).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        // Every pass, deleted or not: it also finishes a scrub a reader held up since the last one.
        await dialect.ScrubDeletedContentAsync(connection, cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    public async Task<IReadOnlyList<Guid>> MutualContactsAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(MutualJoin);
        await using var reader = await command.With("user", userId).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var contacts = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            contacts.Add(reader.GetGuid(0));
        }
        return contacts;
    }

    public async Task<bool> AreMutualContactsAsync(Guid userId, Guid peerId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(AreMutual);
        return await command.With("user", userId).With("peer", peerId).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Locks the destination devices in key order and returns them with their new sequence numbers. A room send
    /// first takes the room's lock and then reads its members in later statements (see <see cref="SqlRoomStore"/>),
    /// so it addresses the members as they are at commit; null when the sender is not one of them.
    /// </summary>
    private async Task<(Dictionary<(Guid UserId, int DeviceId), (int RegistrationId, long Sequence)>? Devices, long SenderDevices)>
        AdvanceSequencesAsync(DbConnection connection, DbTransaction transaction, MailboxBatch batch, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(string.Empty, transaction);
        string users, roomCheck;
        if (batch.RoomId is { } roomId)
        {
            command.With("room", roomId);
            users = "user_id IN (SELECT user_id FROM room_members WHERE room_id = @room)";
            roomCheck = $"""
                {SqlRoomStore.LockSql(dialect)};
                SELECT COUNT(*) FROM room_members WHERE room_id = @room AND user_id = @sender;

                """;
        }
        else
        {
            users = dialect.AnyOf(command, "user_id", "users", batch.DestinationUsers);
            roomCheck = string.Empty;
        }
        command.CommandText = $"""
            {roomCheck}UPDATE devices SET mailbox_seq = mailbox_seq + 1
            WHERE (user_id, device_id) IN (
                SELECT user_id, device_id FROM devices
                WHERE {users} AND NOT (user_id = @sender AND device_id = @senderDevice)
                ORDER BY user_id, device_id{dialect.ForUpdate})
            RETURNING user_id, device_id, registration_id, mailbox_seq;
            SELECT COUNT(*) FROM devices WHERE user_id = @sender;
            """;
        await using var reader = await command.With("sender", batch.SenderUserId).With("senderDevice", batch.SenderDeviceId)
            .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (batch.RoomId is not null)
        {
            // The lock's row (none when the room is gone), then whether the sender is still a member.
            var roomExists = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var isMember = reader.GetInt64(0) > 0;
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            if (!roomExists || !isMember)
            {
                return (null, 0);
            }
        }
        var devices = new Dictionary<(Guid, int), (int, long)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            devices[(reader.GetGuid(0), reader.GetInt32(1))] = (reader.GetInt32(2), reader.GetInt64(3));
        }
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (devices, reader.GetInt64(0));
    }

    private static bool Covers(Dictionary<(Guid UserId, int DeviceId), (int RegistrationId, long Sequence)> current,
        IReadOnlyList<PendingEnvelope> envelopes)
    {
        if (current.Count != envelopes.Count)
        {
            return false;
        }
        foreach (var envelope in envelopes)
        {
            if (!current.TryGetValue((envelope.Destination.UserId, envelope.Destination.DeviceId), out var device)
                || device.RegistrationId != envelope.Destination.RegistrationId)
            {
                return false;
            }
        }
        return true;
    }

    private static async Task<bool> InsertMessageAsync(DbConnection connection, DbTransaction transaction, MailboxBatch batch,
        bool needsSync, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("""
            INSERT INTO messages (message_id, sender_user, sender_device, idempotency_key, room_id, server_timestamp, needs_sync)
            VALUES (@message, @sender, @senderDevice, @key, @room, @at, @sync)
            ON CONFLICT (sender_user, sender_device, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            """, transaction);
        return await command.With("message", batch.MessageId).With("sender", batch.SenderUserId)
            .With("senderDevice", batch.SenderDeviceId).With("key", batch.IdempotencyKey).With("room", batch.RoomId)
            .With("at", batch.ServerTimestamp).With("sync", needsSync)
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Envelopes, their status rows and (for a direct send) the sender's contact row, in one round trip.</summary>
    private static async Task InsertEnvelopesAsync(DbConnection connection, DbTransaction transaction, MailboxBatch batch,
        Envelope[] envelopes, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(string.Empty, transaction);
        command.With("message", batch.MessageId).With("sender", batch.SenderUserId).With("senderDevice", batch.SenderDeviceId)
            .With("room", batch.RoomId).With("timestamp", batch.Timestamp).With("at", batch.ServerTimestamp)
            .With("expires", batch.ExpiresAt);
        var sql = new StringBuilder(256 + (envelopes.Length * 160));
        sql.Append("INSERT INTO envelopes (").Append(EnvelopeColumns).Append(") VALUES ");
        for (var i = 0; i < envelopes.Length; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            var envelope = envelopes[i];
            command.With("id" + n, envelope.Id).With("u" + n, envelope.DestinationUserId).With("d" + n, envelope.DestinationDeviceId)
                .With("s" + n, envelope.Sequence).With("t" + n, envelope.Type).With("c" + n, envelope.Content);
            sql.Append(i == 0 ? "(" : ", (")
                .Append("@id").Append(n).Append(", @u").Append(n).Append(", @d").Append(n).Append(", @s").Append(n)
                .Append(", @message, @t").Append(n).Append(", @sender, @senderDevice, @room, @timestamp, @at, @c").Append(n)
                .Append(", @expires)");
        }
        sql.Append(";\nINSERT INTO message_recipients (message_id, user_id, device_id, sender_user, status, updated_at) VALUES ");
        for (var i = 0; i < envelopes.Length; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? "(" : ", (").Append("@message, @u").Append(n).Append(", @d").Append(n).Append(", @sender, 0, @at)");
        }
        sql.Append(';');
        if (batch.RoomId is null && batch.DestinationUsers.Count == 1 && batch.DestinationUsers[0] != batch.SenderUserId)
        {
            // One direction only: the reply records the other. Insert-if-absent, no read: many sends' rows batch into one
            // multi-row VALUES, duplicates included (DO NOTHING skips a row that an earlier one of the same statement inserted).
            command.With("peer", batch.DestinationUsers[0]);
            sql.Append("\nINSERT INTO direct_contacts (sender_user, recipient_user) VALUES (@sender, @peer) ON CONFLICT DO NOTHING;");
        }
        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Receipt>> AdvanceStatusAsync(DbConnection connection, DbTransaction transaction,
        Guid userId, int deviceId, IReadOnlyList<Guid> messageIds, DeliveryStatus status, long now, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(string.Empty, transaction);
        command.CommandText = $"""
            UPDATE message_recipients SET status = @status, updated_at = @now
            WHERE user_id = @user AND device_id = @device AND status < @status AND {dialect.AnyOf(command, "message_id", "messages", messageIds)}
            RETURNING message_id, sender_user
            """;
        await using var reader = await command.With("status", (int)status).With("now", now).With("user", userId).With("device", deviceId)
            .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var receipts = new List<Receipt>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            receipts.Add(new Receipt(reader.GetGuid(0), reader.GetGuid(1), userId, deviceId, status, now));
        }
        return receipts;
    }

    private static async Task<SendResult?> FindDuplicateAsync(DbConnection connection, DbTransaction? transaction, MailboxBatch batch,
        CancellationToken cancellationToken)
    {
        await using var command = connection.Command("""
            SELECT message_id, server_timestamp, needs_sync FROM messages
            WHERE sender_user = @sender AND sender_device = @senderDevice AND idempotency_key = @key
            """, transaction);
        await using var reader = await command.With("sender", batch.SenderUserId).With("senderDevice", batch.SenderDeviceId)
            .With("key", batch.IdempotencyKey).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new SendResult(reader.GetGuid(0), reader.GetInt64(1), reader.GetBoolean(2))
            : null;
    }

    private static StoreOutcome Duplicate(SendResult result) => new(StoreOutcomeKind.Duplicate, result, [], []);
}
