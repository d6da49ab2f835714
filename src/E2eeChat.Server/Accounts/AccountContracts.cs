namespace E2eeChat.Server.Accounts;

public sealed record CreateAccountRequest(
    string? Username, string? Password, string? IdentityKey, int? RegistrationId, string? DeviceName);

public sealed record UserResponse(Guid UserId, string Username);
