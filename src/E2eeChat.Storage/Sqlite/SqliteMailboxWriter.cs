using System.Data.Common;
using E2eeChat.Domain.Messages;
using E2eeChat.Storage.Sql;

namespace E2eeChat.Storage.Sqlite;

/// <summary>
/// The batch statements for SQLite: the write transaction already excludes every other writer, so nothing is locked
/// row by row; each statement is prepared once and run per row, which in process costs no round trip.
/// </summary>
internal sealed class SqliteMailboxWriter(SqlDialect dialect) : MailboxWriter
{
    public override async Task<MailboxSnapshot> LockAsync(DbConnection connection, DbTransaction transaction, MailboxLocks locks,
        CancellationToken cancellationToken)
    {
        var snapshot = new MailboxSnapshot();
        if (locks.Rooms.Count > 0)
        {
            await using var rooms = connection.Command(string.Empty, transaction);
            var list = dialect.AnyOf(rooms, "room_id", "r", locks.Rooms);
            rooms.CommandText = $"SELECT room_id FROM rooms WHERE {list}; SELECT room_id, user_id FROM room_members WHERE {list};";
            await using var reader = await rooms.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                snapshot.Rooms.Add(reader.GetGuid(0));
            }
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                AddMember(snapshot, reader.GetGuid(0), reader.GetGuid(1));
            }
        }

        await using (var devices = connection.Command(string.Empty, transaction))
        {
            var users = dialect.AnyOf(devices, "user_id", "u", locks.Users);
            var members = locks.Rooms.Count == 0
                ? string.Empty
                : $" OR user_id IN (SELECT user_id FROM room_members WHERE {dialect.AnyOf(devices, "room_id", "r", locks.Rooms)})";
            devices.CommandText = $"""
                SELECT user_id, device_id, registration_id, mailbox_seq, mailbox_count, mailbox_bytes FROM devices
                WHERE {users}{members} ORDER BY user_id, device_id
                """;
            await using var reader = await devices.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                AddDevice(snapshot, new LockedDevice(reader.GetGuid(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5)));
            }
        }

        if (locks.Keys.Count > 0)
        {
            await using var earlier = connection.Command("""
                SELECT message_id, server_timestamp, needs_sync FROM messages
                WHERE sender_user = @sender AND sender_device = @senderDevice AND idempotency_key = @key
                """, transaction);
            var sender = earlier.Parameter("sender");
            var senderDevice = earlier.Parameter("senderDevice");
            var key = earlier.Parameter("key");
            foreach (var (user, device, value) in locks.Keys)
            {
                sender.Value = user;
                senderDevice.Value = device;
                key.Value = value;
                await using var reader = await earlier.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    snapshot.Earlier[(user, device, value)] = new SendResult(reader.GetGuid(0), reader.GetInt64(1), reader.GetBoolean(2));
                }
            }
        }
        return snapshot;
    }

    public override async Task WriteAndCommitAsync(DbConnection connection, DbTransaction transaction, MailboxRows rows,
        CancellationToken cancellationToken)
    {
        await using (var devices = connection.Command("""
            UPDATE devices SET mailbox_seq = @seq, mailbox_count = @count, mailbox_bytes = @bytes
            WHERE user_id = @user AND device_id = @device
            """, transaction))
        {
            var (seq, count, bytes, user, device) = (devices.Parameter("seq"), devices.Parameter("count"), devices.Parameter("bytes"),
                devices.Parameter("user"), devices.Parameter("device"));
            foreach (var row in rows.Devices)
            {
                (seq.Value, count.Value, bytes.Value, user.Value, device.Value) = (row.Sequence, row.Envelopes, row.Bytes, row.UserId, row.DeviceId);
                await devices.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var messages = connection.Command("""
            INSERT INTO messages (message_id, sender_user, sender_device, idempotency_key, room_id, server_timestamp, needs_sync)
            VALUES (@message, @sender, @senderDevice, @key, @room, @at, @sync)
            """, transaction))
        {
            var (message, sender, senderDevice, key, room, at, sync) = (messages.Parameter("message"), messages.Parameter("sender"),
                messages.Parameter("senderDevice"), messages.Parameter("key"), messages.Parameter("room"), messages.Parameter("at"),
                messages.Parameter("sync"));
            foreach (var (send, needsSync) in rows.Messages)
            {
                message.Value = send.MessageId;
                sender.Value = send.SenderUserId;
                senderDevice.Value = send.SenderDeviceId;
                key.Value = (object?)send.IdempotencyKey ?? DBNull.Value;
                room.Value = send.RoomId is { } roomId ? roomId : DBNull.Value;
                at.Value = send.ServerTimestamp;
                sync.Value = needsSync;
                await messages.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var envelopes = connection.Command($"""
            INSERT INTO envelopes ({SqlMailboxStore.EnvelopeColumns})
            VALUES (@id, @user, @device, @seq, @message, @type, @sender, @senderDevice, @room, @timestamp, @at, @content, @expires);
            INSERT INTO message_recipients (message_id, user_id, device_id, sender_user, status, updated_at)
            VALUES (@message, @user, @device, @sender, 0, @at);
            """, transaction))
        {
            var (id, user, device, seq, message, type, sender) = (envelopes.Parameter("id"), envelopes.Parameter("user"),
                envelopes.Parameter("device"), envelopes.Parameter("seq"), envelopes.Parameter("message"), envelopes.Parameter("type"),
                envelopes.Parameter("sender"));
            var (senderDevice, room, timestamp, at, content, expires) = (envelopes.Parameter("senderDevice"), envelopes.Parameter("room"),
                envelopes.Parameter("timestamp"), envelopes.Parameter("at"), envelopes.Parameter("content"), envelopes.Parameter("expires"));
            foreach (var envelope in rows.Envelopes)
            {
                id.Value = envelope.Id;
                user.Value = envelope.DestinationUserId;
                device.Value = envelope.DestinationDeviceId;
                seq.Value = envelope.Sequence;
                message.Value = envelope.MessageId;
                type.Value = envelope.Type;
                sender.Value = envelope.SourceUserId;
                senderDevice.Value = envelope.SourceDeviceId;
                room.Value = envelope.RoomId is { } roomId ? roomId : DBNull.Value;
                timestamp.Value = envelope.Timestamp;
                at.Value = envelope.ServerTimestamp;
                content.Value = envelope.Content;
                expires.Value = envelope.ExpiresAt is { } expiresAt ? expiresAt : DBNull.Value;
                await envelopes.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (rows.Contacts.Count > 0)
        {
            await using var contacts = connection.Command(
                "INSERT INTO direct_contacts (sender_user, recipient_user) VALUES (@sender, @recipient) ON CONFLICT DO NOTHING", transaction);
            var (sender, recipient) = (contacts.Parameter("sender"), contacts.Parameter("recipient"));
            foreach (var (from, to) in rows.Contacts)
            {
                (sender.Value, recipient.Value) = (from, to);
                await contacts.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task<(List<Receipt> Receipts, int Deleted)> AckAndCommitAsync(DbConnection connection, DbTransaction transaction, List<AckRequest> acks,
        CancellationToken cancellationToken)
    {
        var deleted = new List<AckedEnvelope>();
        await using (var delete = connection.Command("""
            DELETE FROM envelopes WHERE id = @id AND user_id = @user AND device_id = @device RETURNING message_id, length(content)
            """, transaction))
        {
            var (id, user, device) = (delete.Parameter("id"), delete.Parameter("user"), delete.Parameter("device"));
            for (var i = 0; i < acks.Count; i++)
            {
                (user.Value, device.Value) = (acks[i].UserId, acks[i].DeviceId);
                foreach (var envelopeId in acks[i].EnvelopeIds)
                {
                    id.Value = envelopeId;
                    await using var reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        deleted.Add(new AckedEnvelope(i, acks[i].UserId, acks[i].DeviceId, reader.GetGuid(0), reader.GetInt64(1)));
                    }
                }
            }
        }
        if (deleted.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return ([], 0);
        }

        await using (var release = connection.Command("""
            UPDATE devices SET mailbox_count = mailbox_count - @count, mailbox_bytes = mailbox_bytes - @bytes
            WHERE user_id = @user AND device_id = @device
            """, transaction))
        {
            var (count, bytes, user, device) = (release.Parameter("count"), release.Parameter("bytes"), release.Parameter("user"),
                release.Parameter("device"));
            foreach (var ((userId, deviceId), (envelopes, total)) in Released(deleted))
            {
                (count.Value, bytes.Value, user.Value, device.Value) = (envelopes, total, userId, deviceId);
                await release.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var receipts = new List<Receipt>(deleted.Count);
        await using var delivered = connection.Command($"""
            UPDATE message_recipients SET status = {(int)DeliveryStatus.Delivered}, updated_at = @now
            WHERE message_id = @message AND user_id = @user AND device_id = @device AND status < {(int)DeliveryStatus.Delivered}
            RETURNING sender_user
            """, transaction);
        var (now, message, recipient, recipientDevice) = (delivered.Parameter("now"), delivered.Parameter("message"),
            delivered.Parameter("user"), delivered.Parameter("device"));
        foreach (var envelope in deleted)
        {
            var at = acks[envelope.Request].Now;
            (now.Value, message.Value, recipient.Value, recipientDevice.Value) = (at, envelope.MessageId, envelope.UserId, envelope.DeviceId);
            await using var reader = await delivered.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                receipts.Add(new Receipt(envelope.MessageId, reader.GetGuid(0), envelope.UserId, envelope.DeviceId, DeliveryStatus.Delivered, at));
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (receipts, deleted.Count);
    }

    public override async Task<List<Receipt>> MarkReadAndCommitAsync(DbConnection connection, DbTransaction transaction,
        List<ReadRequest> reads, CancellationToken cancellationToken)
    {
        var receipts = new List<Receipt>();
        await using (var mark = connection.Command($"""
            UPDATE message_recipients SET status = {(int)DeliveryStatus.Read}, updated_at = @now
            WHERE message_id = @message AND user_id = @user AND device_id = @device AND status < {(int)DeliveryStatus.Read}
            RETURNING sender_user
            """, transaction))
        {
            var (now, message, user, device) = (mark.Parameter("now"), mark.Parameter("message"), mark.Parameter("user"),
                mark.Parameter("device"));
            foreach (var read in reads)
            {
                (now.Value, user.Value, device.Value) = (read.Now, read.UserId, read.DeviceId);
                foreach (var messageId in read.MessageIds)
                {
                    message.Value = messageId;
                    await using var reader = await mark.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        receipts.Add(new Receipt(messageId, reader.GetGuid(0), read.UserId, read.DeviceId, DeliveryStatus.Read, read.Now));
                    }
                }
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return receipts;
    }

    /// <summary>Per device, the envelopes and bytes its acks deleted.</summary>
    private static SortedDictionary<(Guid UserId, int DeviceId), (long Envelopes, long Bytes)> Released(List<AckedEnvelope> deleted)
    {
        var released = new SortedDictionary<(Guid, int), (long, long)>();
        foreach (var envelope in deleted)
        {
            released.TryGetValue((envelope.UserId, envelope.DeviceId), out var sum);
            released[(envelope.UserId, envelope.DeviceId)] = (sum.Item1 + 1, sum.Item2 + envelope.Bytes);
        }
        return released;
    }
}
