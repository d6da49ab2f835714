using E2eeChat.Domain.Common;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Devices;

/// <summary>Field rules for devices, shared by sign-up and linking.</summary>
public static class DeviceRules
{
    public const int PrimaryDeviceId = 1;
    public const int MinRegistrationId = 1;
    public const int MaxRegistrationId = 16380;
    public const int MaxNameLength = 64;

    public static int ValidateRegistrationId(int? registrationId)
    {
        if (registrationId is not (>= MinRegistrationId and <= MaxRegistrationId))
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidRegistrationId,
                $"registrationId must be an integer from {MinRegistrationId} to {MaxRegistrationId}.");
        }
        return registrationId.Value;
    }

    public static string ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || !VisibleText.IsVisible(name))
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidDeviceName,
                $"name must be 1–{MaxNameLength} visible characters: no controls, format characters (bidi overrides, zero-width spaces) or invisible fillers.");
        }
        return name;
    }
}
