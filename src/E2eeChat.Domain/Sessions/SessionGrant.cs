namespace E2eeChat.Domain.Sessions;

/// <summary>What a successful login or refresh hands out; the host adds the access token.</summary>
public sealed record SessionGrant(Session Session, string RefreshToken);
