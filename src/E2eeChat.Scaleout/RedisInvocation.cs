using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Scaleout;

/// <summary>
/// A hub invocation as it crossed Redis: the message already serialized once per protocol, the
/// connections it must skip, and for a client-result request the id the answer will carry.
/// </summary>
internal readonly record struct RedisInvocation(
    ServerId Origin,
    SerializedHubMessage Message,
    string[]? ExcludedConnectionIds,
    string? InvocationId);
