namespace E2eeChat.Domain.Push;

/// <summary>How a device is woken: a Web Push subscription (RFC 8030) or a push gateway (a Matrix-style relay to FCM/APNs).</summary>
public enum PushKind
{
    WebPush = 0,
    Gateway = 1,
}

/// <summary>
/// One device's way to be woken, at most one per device. <see cref="Endpoint"/> is the push resource (Web Push) or the
/// gateway's notify URL; <see cref="P256dh"/> and <see cref="Auth"/> are the subscription's keys (Web Push only);
/// <see cref="AppId"/> and <see cref="PushKey"/> name the device to the gateway (gateway only).
/// </summary>
public sealed record PushRegistration(
    Guid UserId,
    int DeviceId,
    PushKind Kind,
    string Endpoint,
    byte[]? P256dh,
    byte[]? Auth,
    string? AppId,
    string? PushKey);
