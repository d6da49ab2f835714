namespace E2eeChat.Domain.Sessions;

/// <summary>A login of one device: the family that its rotating refresh tokens belong to.</summary>
public sealed record Session(Guid SessionId, Guid UserId, int DeviceId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);
