using E2eeChat.Domain.Messages;

namespace E2eeChat.Server.Delivery;

/// <summary>The single-process bus: every device that is connected at all is connected here.</summary>
internal sealed class LocalDeviceBus(DeviceConnections connections) : IDeviceBus
{
    public ValueTask<IReadOnlyList<Envelope>> AnnounceAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<Envelope>>(connections.Announce(envelopes) ?? (IReadOnlyList<Envelope>)[]);

    public async ValueTask RevokeAsync(DeviceKey device, string reason, CancellationToken cancellationToken) =>
        await connections.RevokeAsync(device, reason).ConfigureAwait(false);

    public ValueTask AttachedAsync(DeviceKey device, string connectionId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DetachedAsync(DeviceKey device, string connectionId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<bool> IsConnectedAnywhereAsync(DeviceKey device, CancellationToken cancellationToken) =>
        ValueTask.FromResult(connections.IsConnectedHere(device));
}
