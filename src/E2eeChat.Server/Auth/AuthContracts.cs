namespace E2eeChat.Server.Auth;

public sealed record TokenRequest(string? Username, string? Password, int? DeviceId);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record MeResponse(Guid UserId, string Username, int DeviceId);
