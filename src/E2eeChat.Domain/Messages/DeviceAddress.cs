namespace E2eeChat.Domain.Messages;

/// <summary>A device as the send path sees it: who it is and the registration id it has now.</summary>
public readonly record struct DeviceAddress(Guid UserId, int DeviceId, int RegistrationId);
