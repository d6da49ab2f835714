using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Messages;

/// <summary>What one destination user's envelopes got wrong.</summary>
public sealed record DeviceMismatch(Guid UserId, int[] MissingDevices, int[] ExtraDevices, int[] StaleDevices);

/// <summary>
/// Compares the devices a send addressed with the devices that exist now (DESIGN §5.1):
/// a stale registration id wins (410), else missing or extra devices (409).
/// </summary>
public static class DeviceSetValidator
{
    /// <summary>Null when <paramref name="addressed"/> covers exactly <paramref name="current"/>.</summary>
    public static IReadOnlyList<DeviceMismatch>? Compare(IReadOnlyList<DeviceAddress> current, IReadOnlyList<DeviceAddress> addressed)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(addressed);
        if (CoversSmallSet(current, addressed))
        {
            return null;
        }
        var users = new SortedDictionary<Guid, (List<int> Missing, List<int> Extra, List<int> Stale)>();
        (List<int> Missing, List<int> Extra, List<int> Stale) For(Guid user)
        {
            if (!users.TryGetValue(user, out var lists))
            {
                lists = ([], [], []);
                users[user] = lists;
            }
            return lists;
        }

        var wanted = new Dictionary<(Guid, int), int>(current.Count);
        foreach (var device in current)
        {
            wanted[(device.UserId, device.DeviceId)] = device.RegistrationId;
        }
        var seen = new HashSet<(Guid, int)>();
        foreach (var device in addressed)
        {
            seen.Add((device.UserId, device.DeviceId));
            if (!wanted.TryGetValue((device.UserId, device.DeviceId), out var registrationId))
            {
                For(device.UserId).Extra.Add(device.DeviceId);
            }
            else if (registrationId != device.RegistrationId)
            {
                For(device.UserId).Stale.Add(device.DeviceId);
            }
        }
        foreach (var device in current)
        {
            if (!seen.Contains((device.UserId, device.DeviceId)))
            {
                For(device.UserId).Missing.Add(device.DeviceId);
            }
        }
        if (users.Count == 0)
        {
            return null;
        }
        return users.Select(u => new DeviceMismatch(u.Key, Sorted(u.Value.Missing), Sorted(u.Value.Extra), Sorted(u.Value.Stale)))
            .ToArray();
    }

    /// <summary>The 410 or 409 for a send to one user: flat device lists.</summary>
    public static DomainException ForDirectSend(IReadOnlyList<DeviceMismatch> mismatches)
    {
        ArgumentNullException.ThrowIfNull(mismatches);
        var stale = mismatches.SelectMany(m => m.StaleDevices).Order().ToArray();
        if (stale.Length > 0)
        {
            return new DomainException(ErrorKind.Gone, ErrorCodes.StaleDevices,
                "Some devices have new registration ids: refetch their prekey bundles and re-encrypt.",
                new Dictionary<string, object?> { ["staleDevices"] = stale });
        }
        return new DomainException(ErrorKind.Conflict, ErrorCodes.MismatchedDevices,
            "The envelopes do not cover exactly the destination's current devices.",
            new Dictionary<string, object?>
            {
                ["missingDevices"] = mismatches.SelectMany(m => m.MissingDevices).Order().ToArray(),
                ["extraDevices"] = mismatches.SelectMany(m => m.ExtraDevices).Order().ToArray(),
            });
    }

    /// <summary>The 410 or 409 for a room send: the same lists, per member.</summary>
    public static DomainException ForRoomSend(IReadOnlyList<DeviceMismatch> mismatches) => PerUser(mismatches,
        "Some members' devices have new registration ids: refetch their prekey bundles and re-encrypt.",
        "The envelopes do not cover exactly every member's current devices.");

    /// <summary>The 410 or 409 for a multi-recipient sealed-sender send: the same lists, per recipient.</summary>
    public static DomainException ForMultiRecipientSend(IReadOnlyList<DeviceMismatch> mismatches) => PerUser(mismatches,
        "Some recipients' devices have new registration ids: refetch their prekey bundles and re-encrypt.",
        "The message does not address exactly every recipient's current devices.");

    private static DomainException PerUser(IReadOnlyList<DeviceMismatch> mismatches, string staleDetail, string mismatchDetail)
    {
        ArgumentNullException.ThrowIfNull(mismatches);
        var stale = mismatches.Where(m => m.StaleDevices.Length > 0)
            .Select(m => new { userId = m.UserId, staleDevices = m.StaleDevices }).ToArray();
        if (stale.Length > 0)
        {
            return new DomainException(ErrorKind.Gone, ErrorCodes.StaleDevices, staleDetail,
                new Dictionary<string, object?> { ["staleDevices"] = stale });
        }
        return new DomainException(ErrorKind.Conflict, ErrorCodes.MismatchedDevices, mismatchDetail,
            new Dictionary<string, object?>
            {
                ["mismatchedDevices"] = mismatches
                    .Select(m => new { userId = m.UserId, missingDevices = m.MissingDevices, extraDevices = m.ExtraDevices })
                    .ToArray(),
            });
    }

    /// <summary>Up to this many devices (every direct send) a match is found by linear search, allocating nothing.</summary>
    private const int SmallSet = 16;

    /// <summary>True when a small <paramref name="addressed"/> names every current device once, with its registration id, and nothing else.</summary>
    private static bool CoversSmallSet(IReadOnlyList<DeviceAddress> current, IReadOnlyList<DeviceAddress> addressed)
    {
        if (current.Count != addressed.Count || current.Count > SmallSet)
        {
            return false;
        }
        for (var i = 0; i < addressed.Count; i++)
        {
            var device = addressed[i];
            var found = false;
            for (var j = 0; j < current.Count && !found; j++)
            {
                found = current[j] == device;
            }
            for (var k = 0; k < i && found; k++)
            {
                // Named twice: with the counts equal, some current device is then missing.
                found = addressed[k].DeviceId != device.DeviceId || addressed[k].UserId != device.UserId;
            }
            if (!found)
            {
                return false;
            }
        }
        return true;
    }

    private static int[] Sorted(List<int> values)
    {
        values.Sort();
        return [.. values];
    }
}
