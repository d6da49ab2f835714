using E2eeChat.Domain.Common;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Domain.Rooms;

/// <summary>Bound from the <c>Rooms</c> section.</summary>
public sealed class RoomOptions : IValidatedOptions
{
    public const string SectionName = "Rooms";

    /// <summary>Members per room, admins included.</summary>
    public int MaxMembers { get; set; } = 100;

    /// <summary>Rooms one user may be a member of at once; pending invitations do not count.</summary>
    public int MaxRoomsPerUser { get; set; } = 500;

    /// <summary>Invitations one user may hold unanswered; more are refused until they accept or decline some.</summary>
    public int MaxPendingInvitationsPerUser { get; set; } = 100;

    public void Validate()
    {
        if (MaxMembers < 2)
        {
            throw new InvalidOperationException("Rooms:MaxMembers must be at least 2.");
        }
        if (MaxRoomsPerUser < 1)
        {
            throw new InvalidOperationException("Rooms:MaxRoomsPerUser must be at least 1.");
        }
        if (MaxPendingInvitationsPerUser < 1)
        {
            throw new InvalidOperationException("Rooms:MaxPendingInvitationsPerUser must be at least 1.");
        }
    }

    /// <summary>Throws when a full room could not be sent to: one send carries one envelope per member device.</summary>
    public void ValidateFanOut(int maxDevicesPerUser)
    {
        if ((long)MaxMembers * maxDevicesPerUser > SendParser.MaxEnvelopesPerSend)
        {
            throw new InvalidOperationException(
                $"Rooms:MaxMembers × Devices:MaxDevices ({MaxMembers} × {maxDevicesPerUser}) must not exceed the " +
                $"{SendParser.MaxEnvelopesPerSend} envelopes one send may carry.");
        }
    }
}
