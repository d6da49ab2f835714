namespace E2eeChat.Domain.Devices;

/// <summary>A request to join an account: by link code, or by username and password.</summary>
public sealed record LinkDevice(
    string? LinkCode,
    string? Username,
    string? Password,
    string? Name,
    int? RegistrationId);
