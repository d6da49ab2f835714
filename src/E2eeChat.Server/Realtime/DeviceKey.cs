namespace E2eeChat.Server.Realtime;

public readonly record struct DeviceKey(Guid UserId, int DeviceId);
