using System.Data.Common;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Storage.Sql;

/// <summary>
/// Per-device mailboxes. Concurrent sends (and acks) are group-committed: one transaction locks the devices of a whole
/// batch in a fixed order, checks each send's device set and quota under those locks, gives every device a gap-free
/// delivery order, and writes all the batch's rows with set-based statements (<see cref="MailboxWriter"/>).
/// </summary>
internal sealed class SqlMailboxStore : IMailboxStore, IAsyncDisposable
{
    public const string EnvelopeColumns =
        "id, user_id, device_id, seq, message_id, type, source_user, source_device, room_id, client_timestamp, server_timestamp, content, expires_at";

    // Mutuality is read here, not kept by the send: a direct send only adds its own direction (one insert-if-absent),
    // and both reads are primary-key probes (presence: the user's rows, then one probe per row for the way back).
    private const string MutualJoin = """
        SELECT sent.recipient_user FROM direct_contacts sent
        JOIN direct_contacts back ON back.sender_user = sent.recipient_user AND back.recipient_user = sent.sender_user
        WHERE sent.sender_user = @user
        """;

    private const string AreMutual = MutualJoin + " AND sent.recipient_user = @peer";

    // Envelopes the reaper deletes: expired, or older than retention.
    private const string Expired = "((e.expires_at IS NOT NULL AND e.expires_at <= @now) OR e.server_timestamp < @since)";

    private readonly SqlDialect _dialect;
    private readonly MailboxWriter _writer;
    private readonly MailboxQuota _quota;
    private readonly GroupCommitter<MailboxBatch, StoreOutcome> _sends;
    private readonly GroupCommitter<AckRequest, IReadOnlyList<Receipt>> _acks;
    private readonly GroupCommitter<ReadRequest, IReadOnlyList<Receipt>> _reads;

    public SqlMailboxStore(SqlDialect dialect, MailboxWriter writer, MailboxQuota quota, GroupCommitOptions options, int writers)
    {
        _dialect = dialect;
        _writer = writer;
        _quota = quota;
        _sends = new GroupCommitter<MailboxBatch, StoreOutcome>("send", CommitSendsAsync, send => send.Envelopes.Count, options, writers);
        _acks = new GroupCommitter<AckRequest, IReadOnlyList<Receipt>>("ack", CommitAcksAsync, ack => ack.EnvelopeIds.Count, options, writers);
        _reads = new GroupCommitter<ReadRequest, IReadOnlyList<Receipt>>("read", CommitReadsAsync, read => read.MessageIds.Count, options, writers);
    }

    public Task<StoreOutcome> StoreAsync(MailboxBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return _sends.SubmitAsync(batch, cancellationToken);
    }

    public async Task<IReadOnlyList<DeviceAddress>> CurrentDevicesAsync(IReadOnlyList<Guid> users, Guid senderUserId, int senderDeviceId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        await using var connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT user_id, device_id, registration_id FROM devices
            WHERE {_dialect.AnyOf(command, "user_id", "users", users)} AND NOT (user_id = @sender AND device_id = @senderDevice)
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
        await using var connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command($"""
            SELECT {EnvelopeColumns} FROM envelopes
            WHERE user_id = @user AND device_id = @device AND seq > @after AND (expires_at IS NULL OR expires_at > @now)
            ORDER BY seq LIMIT @limit
            """);
        await using var reader = await command.With("user", userId).With("device", deviceId).With("after", afterSequence)
            .With("now", now).With("limit", limit).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await EnvelopesAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Envelope>> UnacknowledgedAsync(Guid messageId, Guid? senderUserId, IReadOnlyList<Guid> destinationUsers,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destinationUsers);
        await using var connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(string.Empty);
        // The message's recipients (its primary key) lead to each device's mailbox (its index); a sealed send has no
        // recipient rows, so its destination users' mailboxes are searched.
        command.CommandText = senderUserId is null
            ? $"""
                SELECT {EnvelopeColumns} FROM envelopes
                WHERE message_id = @message AND source_user IS NULL AND {_dialect.AnyOf(command, "user_id", "users", destinationUsers)}
                ORDER BY user_id, device_id
                """
            : $"""
                SELECT {EnvelopeColumns} FROM envelopes
                WHERE message_id = @message AND source_user = @sender
                    AND (user_id, device_id) IN (SELECT user_id, device_id FROM message_recipients WHERE message_id = @message)
                ORDER BY user_id, device_id
                """;
        command.With("message", messageId);
        if (senderUserId is { } sender)
        {
            command.With("sender", sender);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await EnvelopesAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<Envelope>> EnvelopesAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var envelopes = new List<Envelope>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            envelopes.Add(new Envelope(reader.GetGuid(0), reader.GetGuid(4), reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetGuid(6), reader.IsDBNull(7) ? null : reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetGuid(8), reader.GetGuid(1), reader.GetInt32(2), reader.GetInt64(3),
                reader.GetInt64(9), reader.GetInt64(10), reader.GetBytes(11), reader.IsDBNull(12) ? null : reader.GetInt64(12)));
        }
        return envelopes;
    }

    public async Task<IReadOnlyList<Receipt>> AckAsync(Guid userId, int deviceId, IReadOnlyList<Guid> envelopeIds, long now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopeIds);
        return await _acks.SubmitAsync(new AckRequest(userId, deviceId, envelopeIds, now), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Receipt>> MarkReadAsync(Guid userId, int deviceId, IReadOnlyList<Guid> messageIds, long now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        return await _reads.SubmitAsync(new ReadRequest(userId, deviceId, messageIds, now), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RecipientStatus>?> StatusAsync(Guid messageId, Guid senderUserId, CancellationToken cancellationToken)
    {
        await using var connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
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
        await using var connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await _dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        // The devices first, in key order, as every mailbox writer takes them; then their counters, then the rows. Each
        // statement starts from the expired envelopes (the expiry and time indexes), never from every device.
        await using var envelopes = connection.Command($"""
            SELECT d.user_id FROM devices d
            WHERE (d.user_id, d.device_id) IN (SELECT e.user_id, e.device_id FROM envelopes e WHERE {Expired})
            ORDER BY d.user_id, d.device_id{_dialect.ForUpdate};
            UPDATE devices SET mailbox_count = mailbox_count - x.envelopes, mailbox_bytes = mailbox_bytes - x.bytes
            FROM (SELECT e.user_id, e.device_id, COUNT(*) AS envelopes, SUM(length(e.content)) AS bytes FROM envelopes e
                WHERE {Expired} GROUP BY e.user_id, e.device_id) x
            WHERE devices.user_id = x.user_id AND devices.device_id = x.device_id;
            """, transaction);
        await envelopes.With("now", now).With("since", retainedSince).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using var delete = connection.Command($"DELETE FROM envelopes AS e WHERE {Expired}", transaction);
        var deleted = await delete.With("now", now).With("since", retainedSince)
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using var messages = connection.Command("DELETE FROM messages WHERE server_timestamp < @since", transaction);
        await messages.With("since", retainedSince).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        // Every pass, deleted or not: it also finishes a scrub a reader held up since the last one.
        await _dialect.ScrubDeletedContentAsync(connection, cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    public async Task<IReadOnlyList<Guid>> MutualContactsAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
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
        await using var connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(AreMutual);
        return await command.With("user", userId).With("peer", peerId).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// One transaction for the whole batch. When it fails before its COMMIT (a constraint, a lost connection), each send is
    /// tried alone, so that a send that cannot commit fails itself only; nobody is answered before the commit that holds their send.
    /// </summary>
    private async Task CommitSendsAsync(List<PendingCommit<MailboxBatch, StoreOutcome>> sends, CancellationToken cancellationToken)
    {
        if (sends.Count == 1)
        {
            await StoreTogetherAsync(sends, cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            await StoreTogetherAsync(sends, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            var alone = new List<PendingCommit<MailboxBatch, StoreOutcome>>(1);
            foreach (var send in sends)
            {
                alone.Clear();
                alone.Add(send);
                try
                {
                    await StoreTogetherAsync(alone, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception single) when (single is DbException or InvalidOperationException)
                {
                    send.Fail(single);
                }
            }
        }
    }

    private async Task StoreTogetherAsync(List<PendingCommit<MailboxBatch, StoreOutcome>> sends, CancellationToken cancellationToken)
    {
        StoreOutcome[] outcomes;
        await using (var connection = await _dialect.OpenForWritesAsync(cancellationToken).ConfigureAwait(false))
        await using (var transaction = await _dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            var snapshot = await _writer.LockAsync(connection, transaction, SendBatchPlan.Locks(sends), cancellationToken)
                .ConfigureAwait(false);
            (outcomes, var rows) = SendBatchPlan.Decide(sends, snapshot, _quota);
            if (rows.IsEmpty)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    await _writer.WriteAndCommitAsync(connection, transaction, rows, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (_dialect.MayHaveCommitted(exception))
                {
                    // The COMMIT went out and its answer never came: the batch may have committed, and its sends tried
                    // again would meet their own rows (a duplicate message id). Each caller hears of it (503) and
                    // retries with its messageId.
                    foreach (var send in sends)
                    {
                        send.Fail(exception);
                    }
                    return;
                }
            }
        }
        for (var i = 0; i < sends.Count; i++)
        {
            sends[i].Complete(outcomes[i]);
        }
    }

    /// <summary>One transaction deletes what every device of the batch acknowledged; each caller gets its device's receipts.</summary>
    private async Task CommitAcksAsync(List<PendingCommit<AckRequest, IReadOnlyList<Receipt>>> acks, CancellationToken cancellationToken)
    {
        var requests = RequestsOf(acks);
        List<Receipt> receipts;
        int deleted;
        await using (var connection = await _dialect.OpenForWritesAsync(cancellationToken).ConfigureAwait(false))
        {
            await using (var transaction = await _dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                (receipts, deleted) = await _writer.AckAndCommitAsync(connection, transaction, requests, cancellationToken)
                    .ConfigureAwait(false);
            }
            if (deleted > 0)
            {
                await _dialect.ScrubDeletedContentAsync(connection, cancellationToken).ConfigureAwait(false);
            }
        }
        CompleteByDevice(acks, receipts, ack => (ack.UserId, ack.DeviceId));
    }

    /// <summary>One transaction marks what every device of the batch read; each caller gets its device's receipts.</summary>
    private async Task CommitReadsAsync(List<PendingCommit<ReadRequest, IReadOnlyList<Receipt>>> reads, CancellationToken cancellationToken)
    {
        var requests = RequestsOf(reads);
        List<Receipt> receipts;
        await using (var connection = await _dialect.OpenForWritesAsync(cancellationToken).ConfigureAwait(false))
        await using (var transaction = await _dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            receipts = await _writer.MarkReadAndCommitAsync(connection, transaction, requests, cancellationToken).ConfigureAwait(false);
        }
        CompleteByDevice(reads, receipts, read => (read.UserId, read.DeviceId));
    }

    private static List<TRequest> RequestsOf<TRequest, TResult>(List<PendingCommit<TRequest, TResult>> pending)
    {
        var requests = new List<TRequest>(pending.Count);
        foreach (var one in pending)
        {
            requests.Add(one.Request);
        }
        return requests;
    }

    /// <summary>A device's receipts go to its first request in the batch; its other requests get none.</summary>
    private static void CompleteByDevice<TRequest>(List<PendingCommit<TRequest, IReadOnlyList<Receipt>>> requests, List<Receipt> receipts,
        Func<TRequest, (Guid UserId, int DeviceId)> deviceOf)
    {
        if (requests.Count == 1)
        {
            requests[0].Complete(receipts);
            return;
        }
        var byDevice = new Dictionary<(Guid, int), List<Receipt>>();
        foreach (var receipt in receipts)
        {
            if (!byDevice.TryGetValue((receipt.UserId, receipt.DeviceId), out var list))
            {
                list = [];
                byDevice[(receipt.UserId, receipt.DeviceId)] = list;
            }
            list.Add(receipt);
        }
        foreach (var request in requests)
        {
            request.Complete(byDevice.Remove(deviceOf(request.Request), out var own) ? own : []);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sends.DisposeAsync().ConfigureAwait(false);
        await _acks.DisposeAsync().ConfigureAwait(false);
        await _reads.DisposeAsync().ConfigureAwait(false);
    }
}
