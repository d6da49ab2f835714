namespace E2eeChat.Server.Auth;

/// <summary>Tokens for one device session; <c>expiresIn</c> is the access token's lifetime in seconds.</summary>
public sealed record TokenResponse(Guid UserId, int DeviceId, string AccessToken, string RefreshToken, int ExpiresIn);
