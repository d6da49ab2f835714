namespace E2eeChat.Redis;

/// <summary>
/// A published message as a subscriber receives it. <see cref="Payload"/> is the handler's to
/// keep; <see cref="Pattern"/> is set when it arrived through a pattern subscription.
/// </summary>
public readonly record struct RedisMessage(string Channel, ReadOnlyMemory<byte> Payload, string? Pattern = null);
