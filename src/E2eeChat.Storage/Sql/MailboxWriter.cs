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

    /// <summary>
    /// Advances the devices' counters, inserts messages, envelopes, their status rows and contacts, and commits: the
    /// commit may travel with the statements (PostgreSQL), so nothing may be done in the transaction after this.
    /// </summary>
    public abstract Task WriteAndCommitAsync(DbConnection connection, DbTransaction transaction, MailboxRows rows,
        CancellationToken cancellationToken);

    /// <summary>
    /// Locks the acknowledging devices in key order, deletes exactly the envelopes each request named of its own device,
    /// takes them off the devices' counters, marks them delivered and commits; returns the receipts (sent → delivered) and
    /// how many went.
    /// </summary>
    public abstract Task<(List<Receipt> Receipts, int Deleted)> AckAndCommitAsync(DbConnection connection, DbTransaction transaction, List<AckRequest> acks,
        CancellationToken cancellationToken);

    /// <summary>
    /// Locks the reading devices in key order (so that a device's reads and acks never wait on each other's status rows
    /// in opposite orders), advances their status rows of the named messages to read and commits; returns the receipts.
    /// </summary>
    public abstract Task<List<Receipt>> MarkReadAndCommitAsync(DbConnection connection, DbTransaction transaction, List<ReadRequest> reads,
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
}
