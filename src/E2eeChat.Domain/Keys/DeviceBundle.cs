namespace E2eeChat.Domain.Keys;

/// <summary>
/// What one device hands out to start a session: its signed EC prekey, a claimed one-time EC
/// prekey or null when none is left, and a claimed one-time Kyber prekey or else the last-resort one.
/// </summary>
public sealed record DeviceBundle(int DeviceId, int RegistrationId, Prekey SignedPreKey, Prekey? PreKey, Prekey PqPreKey);

/// <summary>The account's identity key with the bundles of the devices asked for.</summary>
public sealed record PrekeyBundle(byte[] IdentityKey, IReadOnlyList<DeviceBundle> Devices);

/// <summary>One-time prekeys a device still has: EC (<see cref="Count"/>) and Kyber (<see cref="PqCount"/>).</summary>
public sealed record PrekeyCounts(int Count, int PqCount);
