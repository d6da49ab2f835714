namespace E2eeChat.Domain.Accounts;

/// <summary>What a new account brings: credentials, its identity key and its first device.</summary>
public sealed record SignUp(
    string? Username,
    string? Password,
    string? IdentityKey,
    int? RegistrationId,
    string? DeviceName,
    string? UnidentifiedAccessKey = null,
    bool? UnrestrictedUnidentifiedAccess = null);
