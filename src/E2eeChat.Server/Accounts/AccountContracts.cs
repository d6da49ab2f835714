namespace E2eeChat.Server.Accounts;

public sealed record CreateAccountRequest(
    string? Username, string? Password, string? IdentityKey, int? RegistrationId, string? DeviceName,
    string? UnidentifiedAccessKey = null, bool? UnrestrictedUnidentifiedAccess = null);

/// <summary>The account's sealed-sender settings: its access key (base64 of 16 bytes; null removes it) and the unrestricted flag.</summary>
public sealed record AccountAttributesRequest(string? UnidentifiedAccessKey, bool? UnrestrictedUnidentifiedAccess);

public sealed record UserResponse(Guid UserId, string Username);
