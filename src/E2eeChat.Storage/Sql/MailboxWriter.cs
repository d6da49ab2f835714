using System.Data.Common;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Storage.Sql;

/// <summary>
/// The statements of a send or ack batch, per engine: PostgreSQL sends each step as one pipelined batch of set-based
/// statements over arrays; SQLite, in process, runs prepared statements row by row inside the same write transaction.
/// Every writer of a mailbox locks its device rows first, in (user_id, device_id) order.
/// </summary>
internal abstract class MailboxWriter
{
    /// <summary>Locks the rooms, then the devices, in key order; reads members, devices and earlier sends with the keys.</summary>
    public abstract Task<MailboxSnapshot> LockAsync(DbConnection connection, DbTransaction transaction, MailboxLocks locks,
        CancellationToken cancellationToken);

    /// <summary>Advances the devices' counters and inserts messages, envelopes, their status rows and contacts.</summary>
    public abstract Task WriteAsync(DbConnection connection, DbTransaction transaction, MailboxRows rows,
        CancellationToken cancellationToken);

    /// <summary>
    /// Locks the acknowledging devices in key order, deletes exactly the envelopes each request named of its own device,
    /// takes them off the devices' counters and marks them delivered; returns the receipts (sent → delivered) and how many went.
    /// </summary>
    public abstract Task<(List<Receipt> Receipts, int Deleted)> AckAsync(DbConnection connection, DbTransaction transaction, List<AckRequest> acks,
        CancellationToken cancellationToken);

    protected static void AddDevice(MailboxSnapshot snapshot, LockedDevice device)
    {
        if (!snapshot.Devices.TryGetValue(device.UserId, out var devices))
        {
            devices = [];
            snapshot.Devices[device.UserId] = devices;
        }
        devices.Add(device);
    }

    protected static void AddMember(MailboxSnapshot snapshot, Guid room, Guid user)
    {
        if (!snapshot.Members.TryGetValue(room, out var members))
        {
            members = [];
            snapshot.Members[room] = members;
        }
        members.Add(user);
    }

    /// <summary>Per device, the envelopes and bytes its acks deleted.</summary>
    protected static SortedDictionary<(Guid UserId, int DeviceId), (long Envelopes, long Bytes)> Released(List<AckedEnvelope> deleted)
    {
        var released = new SortedDictionary<(Guid, int), (long, long)>();
        foreach (var envelope in deleted)
        {
            released.TryGetValue((envelope.UserId, envelope.DeviceId), out var sum);
            released[(envelope.UserId, envelope.DeviceId)] = (sum.Item1 + 1, sum.Item2 + envelope.Bytes);
        }
        return released;
    }

    /// <summary>The acknowledging devices, distinct and in key order: the order every writer locks them in.</summary>
    protected static SortedSet<(Guid UserId, int DeviceId)> DevicesOf(List<AckRequest> acks)
    {
        var devices = new SortedSet<(Guid, int)>();
        foreach (var ack in acks)
        {
            devices.Add((ack.UserId, ack.DeviceId));
        }
        return devices;
    }
}
