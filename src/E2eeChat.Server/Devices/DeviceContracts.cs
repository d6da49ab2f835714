using E2eeChat.Domain.Devices;

namespace E2eeChat.Server.Devices;

public sealed record DeviceResponse(int DeviceId, string Name, int RegistrationId, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt)
{
    public static DeviceResponse From(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return new DeviceResponse(device.DeviceId, device.Name, device.RegistrationId, device.CreatedAt, device.LastSeenAt);
    }
}

public sealed record LinkCodeResponse(string Code, DateTimeOffset ExpiresAt);

/// <summary>Either <c>linkCode</c>, or <c>username</c> and <c>password</c>; plus the new device's name and registration id.</summary>
public sealed record LinkDeviceRequest(string? LinkCode, string? Username, string? Password, string? Name, int? RegistrationId);
