using E2eeChat.Domain.Common;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Rooms;

/// <summary>Field rules for rooms and the errors a refused room request gets.</summary>
public static class RoomRules
{
    public const int MaxNameLength = 128;

    public static string ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || !VisibleText.IsVisible(name))
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidRoomName,
                $"name must be 1–{MaxNameLength} visible characters: no controls, format characters (bidi overrides, zero-width spaces) or invisible fillers; an encrypted name fits as base64.");
        }
        return name;
    }

    /// <summary>The distinct users a room creation invites: <paramref name="memberIds"/> without the creator, in order.</summary>
    public static IReadOnlyList<Guid> Invitees(Guid creatorId, IReadOnlyList<Guid>? memberIds)
    {
        var invitees = new List<Guid>();
        var seen = new HashSet<Guid> { creatorId };
        foreach (var userId in memberIds ?? [])
        {
            if (seen.Add(userId))
            {
                invitees.Add(userId);
            }
        }
        return invitees;
    }

    /// <summary>The same answer whether the room does not exist or the caller is not in it, so ids are no oracle.</summary>
    public static DomainException NotFound() =>
        DomainException.NotFound(ErrorCodes.RoomNotFound, "No such room, or you are not a member of it.");
}
