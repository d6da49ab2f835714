namespace E2eeChat.Domain.Devices;

/// <summary>A single-use code (the "scan this QR" flow) that lets a new device join an account.</summary>
public sealed record LinkCode(string Code, DateTimeOffset ExpiresAt);
