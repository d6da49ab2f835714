namespace E2eeChat.Server.Delivery;

public readonly record struct DeviceKey(Guid UserId, int DeviceId);
