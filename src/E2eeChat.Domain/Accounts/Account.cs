namespace E2eeChat.Domain.Accounts;

/// <summary>An account: one identity key shared by all of its devices, as in Signal.</summary>
public sealed record Account(
    Guid UserId,
    string Username,
    byte[] IdentityKey,
    string PasswordHash,
    DateTimeOffset CreatedAt);
