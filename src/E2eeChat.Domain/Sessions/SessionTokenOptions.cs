namespace E2eeChat.Domain.Sessions;

public sealed class SessionTokenOptions
{
    /// <summary>A session ends when it is not refreshed for this long.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);
}
