namespace E2eeChat.Domain.Accounts;

/// <summary>
/// An account: one identity key shared by all of its devices, as in Signal. <see cref="UnidentifiedAccessKey"/> (16 bytes,
/// derived by clients from the profile key) lets senders who hold it deliver sealed-sender messages without signing in;
/// with <see cref="UnrestrictedUnidentifiedAccess"/> any key does.
/// </summary>
public sealed record Account(
    Guid UserId,
    string Username,
    byte[] IdentityKey,
    string PasswordHash,
    DateTimeOffset CreatedAt,
    byte[]? UnidentifiedAccessKey = null,
    bool UnrestrictedUnidentifiedAccess = false);
