using System.Data.Common;
using E2eeChat.Domain.Messages;
using E2eeChat.Storage.Sql;
using Npgsql;

namespace E2eeChat.Storage.Postgres;

/// <summary>
/// The batch statements for PostgreSQL: each step is one <see cref="NpgsqlBatch"/> (one round trip) of set-based
/// statements over array parameters, whose text does not depend on the batch's size, so they stay auto-prepared.
/// </summary>
internal sealed class PostgresMailboxWriter : MailboxWriter
{
    // Later statements of a batch run after the earlier ones took their locks, each with a fresh snapshot: the members
    // and devices read are the ones at the lock, and no send can change them before this transaction ends.
    private const string LockRooms = "SELECT room_id FROM rooms WHERE room_id = ANY($1) ORDER BY room_id FOR UPDATE";
    private const string ReadMembers = "SELECT room_id, user_id FROM room_members WHERE room_id = ANY($1)";
    // One array of users, so the primary key finds them: "user_id = ANY($1) OR user_id IN (subquery)" cannot use an
    // index for the OR and scans every device row, per batch.
    private const string LockDevices = """
        SELECT user_id, device_id, registration_id, mailbox_seq, mailbox_count, mailbox_bytes FROM devices
        WHERE user_id = ANY($1 || ARRAY(SELECT user_id FROM room_members WHERE room_id = ANY($2)))
        ORDER BY user_id, device_id FOR UPDATE
        """;
    private const string ReadEarlier = """
        SELECT m.sender_user, m.sender_device, m.idempotency_key, m.message_id, m.server_timestamp, m.needs_sync
        FROM unnest($1::uuid[], $2::int[], $3::text[]) k(sender_user, sender_device, idempotency_key)
        JOIN messages m ON m.sender_user = k.sender_user AND m.sender_device = k.sender_device AND m.idempotency_key = k.idempotency_key
        """;

    private const string UpdateDevices = """
        UPDATE devices d SET mailbox_seq = u.seq, mailbox_count = u.count, mailbox_bytes = u.bytes
        FROM unnest($1::uuid[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[]) u(user_id, device_id, seq, count, bytes)
        WHERE d.user_id = u.user_id AND d.device_id = u.device_id
        """;
    private const string InsertMessages = """
        INSERT INTO messages (message_id, sender_user, sender_device, idempotency_key, room_id, server_timestamp, needs_sync)
        SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::uuid[], $6::bigint[], $7::boolean[])
        """;
    private const string InsertEnvelopes = $"""
        INSERT INTO envelopes ({SqlMailboxStore.EnvelopeColumns})
        SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::bigint[], $5::uuid[], $6::int[], $7::uuid[], $8::int[],
            $9::uuid[], $10::bigint[], $11::bigint[], $12::bytea[], $13::bigint[])
        """;
    private const string InsertRecipients = """
        INSERT INTO message_recipients (message_id, user_id, device_id, sender_user, status, updated_at)
        SELECT message_id, user_id, device_id, sender_user, 0, at
        FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::uuid[], $5::bigint[]) r(message_id, user_id, device_id, sender_user, at)
        """;
    private const string InsertContacts = """
        INSERT INTO direct_contacts (sender_user, recipient_user) SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING
        """;

    private const string LockCallers = """
        SELECT 1 FROM devices d JOIN unnest($1::uuid[], $2::int[]) a(user_id, device_id) ON d.user_id = a.user_id AND d.device_id = a.device_id
        WHERE d.user_id = ANY($1)
        ORDER BY d.user_id, d.device_id FOR UPDATE OF d
        """;

    // One statement after the lock: the envelopes go, their devices' counters drop (rows this transaction locked already)
    // and their status rows advance to delivered. Data-modifying CTEs all run, whether the outer query reads them or not.
    // One row per receipt (a status that reached delivered now) and a last row with the number of envelopes deleted.
    //
    // The envelopes are named by key twice, "= ANY(array)" and the join, and the transaction runs with KeyedScans. The
    // generic plan of a prepared statement estimates the array at 10 rows and takes the table's size from its statistics;
    // envelopes is a queue, and a vacuum that finds it drained records no rows however many pages it keeps. PostgreSQL 15
    // then planned the bare join as a nested loop over the whole primary key index, each ack batch reading every envelope
    // in the table (auto_explain: 367 index rows and 7,686 join-filter rejections to delete 21), or as a sequential scan
    // (PostgresAckPlanTests). The receipts are not joined back to the deleted rows for the same reason: the CTEs are
    // estimated at one row each, and that join ran as a nested loop, 12,100 comparisons for an ack batch of 110.
    internal static readonly string AckDeliver = $"""
        WITH acked AS (
            DELETE FROM envelopes e USING unnest($1::uuid[], $2::uuid[], $3::int[], $4::bigint[]) a(id, user_id, device_id, at)
            WHERE e.id = ANY($1) AND e.id = a.id AND e.user_id = a.user_id AND e.device_id = a.device_id
            RETURNING e.user_id, e.device_id, e.message_id, length(e.content) AS bytes, a.at
        ), released AS (
            UPDATE devices d SET mailbox_count = d.mailbox_count - r.envelopes, mailbox_bytes = d.mailbox_bytes - r.bytes
            FROM (SELECT user_id, device_id, count(*) AS envelopes, sum(bytes) AS bytes FROM acked GROUP BY user_id, device_id) r
            WHERE d.user_id = r.user_id AND d.device_id = r.device_id
        ), delivered AS (
            UPDATE message_recipients r SET status = {(int)DeliveryStatus.Delivered}, updated_at = acked.at
            FROM acked
            WHERE r.message_id = acked.message_id AND r.user_id = acked.user_id AND r.device_id = acked.device_id
                AND r.status < {(int)DeliveryStatus.Delivered}
            RETURNING r.message_id, r.sender_user, r.user_id, r.device_id, acked.at
        )
        SELECT message_id, sender_user, user_id, device_id, at, NULL::bigint FROM delivered
        UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, count(*) FROM acked
        """;

    internal static readonly string MarkRead = $"""
        UPDATE message_recipients r SET status = {(int)DeliveryStatus.Read}, updated_at = a.at
        FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::bigint[]) a(message_id, user_id, device_id, at)
        WHERE r.message_id = ANY($1) AND r.message_id = a.message_id AND r.user_id = a.user_id AND r.device_id = a.device_id
            AND r.status < {(int)DeliveryStatus.Read}
        RETURNING r.message_id, r.sender_user, r.user_id, r.device_id, a.at
        """;

    // First in an ack or read transaction: the tables those statements touch are found by key, never scanned whole,
    // whatever their statistics say (see AckDeliver).
    internal const string KeyedScans = "SET LOCAL enable_seqscan = off";

    // Sent with the last statements of a transaction, it saves the round trip of NpgsqlTransaction.Commit; Npgsql sees
    // the connection leave the transaction and treats the NpgsqlTransaction as completed.
    private const string Commit = "COMMIT";

    public override async Task<MailboxSnapshot> LockAsync(DbConnection connection, DbTransaction transaction, MailboxLocks locks,
        CancellationToken cancellationToken)
    {
        var rooms = locks.Rooms.ToArray();
        var keys = locks.Keys;
        var senders = new Guid[keys.Count];
        var senderDevices = new int[keys.Count];
        var values = new string[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            (senders[i], senderDevices[i], values[i]) = keys[i];
        }

        await using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        if (rooms.Length > 0)
        {
            batch.BatchCommands.Add(Command(LockRooms, rooms));
            batch.BatchCommands.Add(Command(ReadMembers, rooms));
        }
        batch.BatchCommands.Add(Command(LockDevices, locks.Users.ToArray(), rooms));
        if (keys.Count > 0)
        {
            batch.BatchCommands.Add(Command(ReadEarlier, senders, senderDevices, values));
        }

        var snapshot = new MailboxSnapshot();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (rooms.Length > 0)
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                snapshot.Rooms.Add(reader.GetGuid(0));
            }
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                AddMember(snapshot, reader.GetGuid(0), reader.GetGuid(1));
            }
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            AddDevice(snapshot, new LockedDevice(reader.GetGuid(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetInt64(5)));
        }
        if (keys.Count > 0)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                snapshot.Earlier[(reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2))] =
                    new SendResult(reader.GetGuid(3), reader.GetInt64(4), reader.GetBoolean(5));
            }
        }
        return snapshot;
    }

    public override async Task WriteAndCommitAsync(DbConnection connection, DbTransaction transaction, MailboxRows rows,
        CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);

        var devices = rows.Devices;
        var (deviceUsers, deviceIds, sequences, counts, bytes) =
            (new Guid[devices.Count], new int[devices.Count], new long[devices.Count], new long[devices.Count], new long[devices.Count]);
        for (var i = 0; i < devices.Count; i++)
        {
            (deviceUsers[i], deviceIds[i], sequences[i], counts[i], bytes[i]) =
                (devices[i].UserId, devices[i].DeviceId, devices[i].Sequence, devices[i].Envelopes, devices[i].Bytes);
        }
        batch.BatchCommands.Add(Command(UpdateDevices, deviceUsers, deviceIds, sequences, counts, bytes));

        var messages = rows.Messages;
        var (messageIds, senders, senderDevices, keys, rooms, ats, syncs) = (new Guid[messages.Count], new Guid[messages.Count],
            new int[messages.Count], new string?[messages.Count], new Guid?[messages.Count], new long[messages.Count], new bool[messages.Count]);
        for (var i = 0; i < messages.Count; i++)
        {
            var (send, needsSync) = messages[i];
            (messageIds[i], (senders[i], senderDevices[i]), keys[i], rooms[i], ats[i], syncs[i]) =
                (send.MessageId, SendBatchPlan.KeyScope(send), send.IdempotencyKey, send.RoomId, send.ServerTimestamp, needsSync);
        }
        batch.BatchCommands.Add(Command(InsertMessages, messageIds, senders, senderDevices, keys, rooms, ats, syncs));

        var envelopes = rows.Envelopes;
        var n = envelopes.Count;
        var (ids, users, deviceOf, seqs, messageOf, types, sources) =
            (new Guid[n], new Guid[n], new int[n], new long[n], new Guid[n], new int[n], new Guid?[n]);
        var (sourceDevices, roomOf, timestamps, serverTimestamps, contents, expires) =
            (new int?[n], new Guid?[n], new long[n], new long[n], new byte[n][], new long?[n]);
        var tracked = 0;
        for (var i = 0; i < n; i++)
        {
            var e = envelopes[i];
            (ids[i], users[i], deviceOf[i], seqs[i], messageOf[i], types[i], sources[i]) =
                (e.Id, e.DestinationUserId, e.DestinationDeviceId, e.Sequence, e.MessageId, e.Type, e.SourceUserId);
            (sourceDevices[i], roomOf[i], timestamps[i], serverTimestamps[i], contents[i], expires[i]) =
                (e.SourceDeviceId, e.RoomId, e.Timestamp, e.ServerTimestamp, e.Content, e.ExpiresAt);
            tracked += e.SourceUserId is null ? 0 : 1;
        }
        batch.BatchCommands.Add(Command(InsertEnvelopes, ids, users, deviceOf, seqs, messageOf, types, sources, sourceDevices, roomOf,
            timestamps, serverTimestamps, contents, expires));
        if (tracked == n)
        {
            batch.BatchCommands.Add(Command(InsertRecipients, messageOf, users, deviceOf, sources, serverTimestamps));
        }
        else if (tracked > 0)
        {
            // Sourceless (sealed-sender) envelopes have no status to track: nobody is told of their delivery.
            var (m, u, d, from, at) = (new Guid[tracked], new Guid[tracked], new int[tracked], new Guid[tracked], new long[tracked]);
            for (int i = 0, j = 0; i < n; i++)
            {
                if (sources[i] is { } source)
                {
                    (m[j], u[j], d[j], from[j], at[j]) = (messageOf[i], users[i], deviceOf[i], source, serverTimestamps[i]);
                    j++;
                }
            }
            batch.BatchCommands.Add(Command(InsertRecipients, m, u, d, from, at));
        }

        if (rows.Contacts.Count > 0)
        {
            var (from, to) = (new Guid[rows.Contacts.Count], new Guid[rows.Contacts.Count]);
            var i = 0;
            foreach (var (sender, recipient) in rows.Contacts)
            {
                (from[i], to[i]) = (sender, recipient);
                i++;
            }
            batch.BatchCommands.Add(Command(InsertContacts, from, to));
        }
        batch.BatchCommands.Add(Command(Commit));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task<(List<Receipt> Receipts, int Deleted)> AckAndCommitAsync(DbConnection connection,
        DbTransaction transaction, List<AckRequest> acks, CancellationToken cancellationToken)
    {
        var (ackerUsers, ackerDevices) = DistinctDevices(acks, ack => (ack.UserId, ack.DeviceId));
        var (ids, users, devices, times) = Rows(acks, ack => (ack.UserId, ack.DeviceId, ack.EnvelopeIds, ack.Now));

        var receipts = new List<Receipt>(ids.Length);
        var deleted = 0;
        await using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        batch.BatchCommands.Add(Command(KeyedScans));
        batch.BatchCommands.Add(Command(LockCallers, ackerUsers, ackerDevices));
        batch.BatchCommands.Add(Command(AckDeliver, ids, users, devices, times));
        batch.BatchCommands.Add(Command(Commit));
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.IsDBNull(5))
                {
                    receipts.Add(new Receipt(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetInt32(3),
                        DeliveryStatus.Delivered, reader.GetInt64(4)));
                }
                else
                {
                    deleted = checked((int)reader.GetInt64(5));
                }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
                // Drains the COMMIT, so that its failure surfaces here.
            }
        }
        return (receipts, deleted);
    }

    public override async Task<List<Receipt>> MarkReadAndCommitAsync(DbConnection connection, DbTransaction transaction,
        List<ReadRequest> reads, CancellationToken cancellationToken)
    {
        var (readerUsers, readerDevices) = DistinctDevices(reads, read => (read.UserId, read.DeviceId));
        var (messages, users, devices, times) = Rows(reads, read => (read.UserId, read.DeviceId, read.MessageIds, read.Now));

        var receipts = new List<Receipt>(messages.Length);
        await using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        batch.BatchCommands.Add(Command(KeyedScans));
        batch.BatchCommands.Add(Command(LockCallers, readerUsers, readerDevices));
        batch.BatchCommands.Add(Command(MarkRead, messages, users, devices, times));
        batch.BatchCommands.Add(Command(Commit));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            receipts.Add(new Receipt(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetInt32(3), DeliveryStatus.Read,
                reader.GetInt64(4)));
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
            // Drains the COMMIT, so that its failure surfaces here.
        }
        return receipts;
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] arrays)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var array in arrays)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = array });
        }
        return command;
    }

    /// <summary>
    /// One row per (id, device) named in the batch, with the time of the first request that named it: a statement joining
    /// the same target row twice would take either.
    /// </summary>
    private static (Guid[] Ids, Guid[] Users, int[] Devices, long[] Times) Rows<TRequest>(List<TRequest> requests,
        Func<TRequest, (Guid UserId, int DeviceId, IReadOnlyList<Guid> Ids, long Now)> rowsOf)
    {
        var total = 0;
        foreach (var request in requests)
        {
            total += rowsOf(request).Ids.Count;
        }
        var (ids, users, devices, times) = (new Guid[total], new Guid[total], new int[total], new long[total]);
        var seen = new HashSet<(Guid, Guid, int)>(total);
        var at = 0;
        foreach (var request in requests)
        {
            var (user, device, named, now) = rowsOf(request);
            foreach (var id in named)
            {
                if (seen.Add((id, user, device)))
                {
                    (ids[at], users[at], devices[at], times[at]) = (id, user, device, now);
                    at++;
                }
            }
        }
        if (at < total)
        {
            (ids, users, devices, times) = (ids[..at], users[..at], devices[..at], times[..at]);
        }
        return (ids, users, devices, times);
    }

    /// <summary>The requests' devices, distinct, as two arrays for the lock statement (which orders them as PostgreSQL does).</summary>
    private static (Guid[] Users, int[] Devices) DistinctDevices<TRequest>(List<TRequest> requests, Func<TRequest, (Guid, int)> deviceOf)
    {
        var distinct = new HashSet<(Guid, int)>();
        foreach (var request in requests)
        {
            distinct.Add(deviceOf(request));
        }
        var (users, devices) = (new Guid[distinct.Count], new int[distinct.Count]);
        var at = 0;
        foreach (var (user, device) in distinct)
        {
            (users[at], devices[at]) = (user, device);
            at++;
        }
        return (users, devices);
    }
}
