using System.Security.Cryptography;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Storage.Sql;

/// <summary>
/// Decides, in memory and in arrival order, what each send of a batch gets from what its transaction read under lock:
/// the first answer of an earlier send with its key, a refusal (room, device set, quota), or the next sequence of each of
/// its devices. One send's refusal changes nothing for the others; sequences stay gap-free.
/// </summary>
internal static class SendBatchPlan
{
    public static MailboxLocks Locks(List<PendingCommit<MailboxBatch, StoreOutcome>> sends)
    {
        var locks = new MailboxLocks();
        var rooms = new HashSet<Guid>();
        var users = new HashSet<Guid>();
        foreach (var pending in sends)
        {
            var send = pending.Request;
            if (send.RoomId is { } room)
            {
                if (rooms.Add(room))
                {
                    locks.Rooms.Add(room);
                }
            }
            else
            {
                foreach (var user in send.DestinationUsers)
                {
                    if (users.Add(user))
                    {
                        locks.Users.Add(user);
                    }
                }
            }
            if (send.SenderUserId is { } sender && users.Add(sender))
            {
                locks.Users.Add(sender);
            }
            if (send.IdempotencyKey is { } key)
            {
                var (owner, device) = KeyScope(send);
                locks.Keys.Add((owner, device, key));
            }
        }
        return locks;
    }

    /// <summary>
    /// Whose idempotency key a send's is: its sending device's, whose row the batch locks. An unidentified send has no
    /// sender: its key belongs to its destination users (locked too), as device 0, which no device has; the owner is the
    /// one destination user, or a digest of the sorted set for a multi-recipient send. messages.sender_user holds it.
    /// </summary>
    public static (Guid Owner, int Device) KeyScope(MailboxBatch send)
    {
        if (send.SenderUserId is { } sender)
        {
            return (sender, send.SenderDeviceId!.Value);
        }
        if (send.DestinationUsers.Count == 1)
        {
            return (send.DestinationUsers[0], 0);
        }
        var users = send.DestinationUsers.Order().ToArray();
        var bytes = new byte[users.Length * 16];
        for (var i = 0; i < users.Length; i++)
        {
            users[i].TryWriteBytes(bytes.AsSpan(i * 16, 16));
        }
        return (new Guid(SHA256.HashData(bytes).AsSpan(0, 16)), 0);
    }

    /// <summary>Each send's outcome, in order; the rows to write for those stored.</summary>
    public static (StoreOutcome[] Outcomes, MailboxRows Rows) Decide(List<PendingCommit<MailboxBatch, StoreOutcome>> sends,
        MailboxSnapshot snapshot, MailboxQuota quota)
    {
        var outcomes = new StoreOutcome[sends.Count];
        var rows = new MailboxRows();
        for (var i = 0; i < sends.Count; i++)
        {
            outcomes[i] = Decide(sends[i].Request, snapshot, quota, rows);
        }
        return (outcomes, rows);
    }

    private static StoreOutcome Decide(MailboxBatch send, MailboxSnapshot snapshot, MailboxQuota quota, MailboxRows rows)
    {
        var (keyOwner, keyDevice) = KeyScope(send);
        if (send.IdempotencyKey is { } key && snapshot.Earlier.TryGetValue((keyOwner, keyDevice, key), out var first))
        {
            return new StoreOutcome(StoreOutcomeKind.Duplicate, first, [], []);
        }
        IReadOnlyList<Guid> users = send.DestinationUsers;
        if (send.RoomId is null)
        {
            foreach (var user in users)
            {
                if (!snapshot.Devices.ContainsKey(user))
                {
                    return new StoreOutcome(StoreOutcomeKind.UserNotFound, null, [], []);
                }
            }
        }
        else if (send.RoomId is { } room)
        {
            if (!snapshot.Rooms.Contains(room) || !snapshot.Members.TryGetValue(room, out var members)
                || send.SenderUserId is not { } member || !members.Contains(member))
            {
                return new StoreOutcome(StoreOutcomeKind.NotRoomMember, null, [], []);
            }
            users = members;
        }

        // The envelopes must name exactly the current devices, each once, with its registration id.
        var devices = new LockedDevice[send.Envelopes.Count];
        var positions = send.Envelopes.Count > SmallSend ? Positions(send.Envelopes) : null;
        var current = 0;
        var covers = true;
        foreach (var user in users)
        {
            if (!snapshot.Devices.TryGetValue(user, out var ofUser))
            {
                continue;
            }
            foreach (var device in ofUser)
            {
                if (device.UserId == send.SenderUserId && device.DeviceId == send.SenderDeviceId)
                {
                    continue;
                }
                current++;
                var index = positions is null ? IndexOf(send.Envelopes, device)
                    : positions.GetValueOrDefault((device.UserId, device.DeviceId), -1);
                if (index < 0 || devices[index] is not null
                    || send.Envelopes[index].Destination.RegistrationId != device.RegistrationId)
                {
                    covers = false;
                }
                else
                {
                    devices[index] = device;
                }
            }
        }
        if (!covers || current != send.Envelopes.Count)
        {
            return new StoreOutcome(StoreOutcomeKind.DevicesChanged, null, [], CurrentDevices(send, users, snapshot));
        }

        for (var i = 0; i < devices.Length; i++)
        {
            if (devices[i].Envelopes + 1 > quota.MaxEnvelopes
                || devices[i].Bytes + send.Envelopes[i].Content.Length > quota.MaxBytes)
            {
                return new StoreOutcome(StoreOutcomeKind.MailboxFull, null, [], []);
            }
        }

        var needsSync = send.SenderUserId is { } sender && snapshot.Devices.TryGetValue(sender, out var senderDevices)
            && senderDevices.Count > 1;
        var result = new SendResult(send.MessageId, send.ServerTimestamp, needsSync);
        var envelopes = new Envelope[devices.Length];
        for (var i = 0; i < devices.Length; i++)
        {
            var device = devices[i];
            var pending = send.Envelopes[i];
            device.Sequence++;
            device.Envelopes++;
            device.Bytes += pending.Content.Length;
            if (!device.Changed)
            {
                device.Changed = true;
                rows.Devices.Add(device);
            }
            envelopes[i] = new Envelope(Guid.CreateVersion7(), send.MessageId, pending.Type, send.SenderUserId, send.SenderDeviceId,
                send.RoomId, device.UserId, device.DeviceId, device.Sequence, send.Timestamp, send.ServerTimestamp, pending.Content,
                send.ExpiresAt);
            rows.Envelopes.Add(envelopes[i]);
        }
        rows.Messages.Add((send, needsSync));
        if (send.SenderUserId is { } from && send.RoomId is null && send.DestinationUsers.Count == 1 && send.DestinationUsers[0] != from)
        {
            // One direction only: the reply records the other.
            rows.Contacts.Add((from, send.DestinationUsers[0]));
        }
        if (send.IdempotencyKey is { } stored)
        {
            // A later send in this batch with the same key gets this answer.
            snapshot.Earlier[(keyOwner, keyDevice, stored)] = result;
        }
        return new StoreOutcome(StoreOutcomeKind.Stored, result, envelopes, []);
    }

    /// <summary>Up to this many envelopes a linear search finds a device's envelope faster than a dictionary.</summary>
    private const int SmallSend = 16;

    private static Dictionary<(Guid, int), int> Positions(IReadOnlyList<PendingEnvelope> envelopes)
    {
        var positions = new Dictionary<(Guid, int), int>(envelopes.Count);
        for (var i = 0; i < envelopes.Count; i++)
        {
            // A device named twice keeps its first position: the second envelope then covers nothing and the send is refused.
            positions.TryAdd((envelopes[i].Destination.UserId, envelopes[i].Destination.DeviceId), i);
        }
        return positions;
    }

    private static int IndexOf(IReadOnlyList<PendingEnvelope> envelopes, LockedDevice device)
    {
        for (var i = 0; i < envelopes.Count; i++)
        {
            var destination = envelopes[i].Destination;
            if (destination.DeviceId == device.DeviceId && destination.UserId == device.UserId)
            {
                return i;
            }
        }
        return -1;
    }

    private static DeviceAddress[] CurrentDevices(MailboxBatch send, IReadOnlyList<Guid> users, MailboxSnapshot snapshot)
    {
        var devices = new List<DeviceAddress>();
        foreach (var user in users)
        {
            if (snapshot.Devices.TryGetValue(user, out var ofUser))
            {
                foreach (var device in ofUser)
                {
                    if (device.UserId != send.SenderUserId || device.DeviceId != send.SenderDeviceId)
                    {
                        devices.Add(new DeviceAddress(device.UserId, device.DeviceId, device.RegistrationId));
                    }
                }
            }
        }
        return [.. devices];
    }
}
