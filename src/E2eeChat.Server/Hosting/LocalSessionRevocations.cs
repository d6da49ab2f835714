using E2eeChat.Domain.Sessions;

namespace E2eeChat.Server.Hosting;

/// <summary>
/// Hands device revocations to whoever holds live connections in this process
/// (the hub subscribes). Cluster mode adds a Redis fan-out in front of it.
/// </summary>
public sealed class LocalSessionRevocations : ISessionRevocations
{
    public event Func<Guid, int, string, ValueTask>? DeviceRevoked;

    public async ValueTask DeviceRevokedAsync(Guid userId, int deviceId, string reason, CancellationToken cancellationToken)
    {
        if (DeviceRevoked is { } handlers)
        {
            foreach (var handler in handlers.GetInvocationList().Cast<Func<Guid, int, string, ValueTask>>())
            {
                await handler(userId, deviceId, reason).ConfigureAwait(false);
            }
        }
    }
}
