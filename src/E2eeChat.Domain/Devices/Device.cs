namespace E2eeChat.Domain.Devices;

/// <summary>One device of an account. Device 1 is the primary.</summary>
public sealed record Device(
    Guid UserId,
    int DeviceId,
    string Name,
    int RegistrationId,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt);
