using E2eeChat.Domain.Messages;

namespace E2eeChat.Server.Delivery;

/// <summary>
/// Reaches a device wherever its live connection is: on this instance, or (in a cluster)
/// on another one. Everything it carries is a hint; the mailbox in the store is the truth.
/// </summary>
public interface IDeviceBus
{
    /// <summary>
    /// Hands committed (or ephemeral) envelopes to the connections of their devices. Answers the envelopes whose device
    /// it did not see reached: no connection here, and none elsewhere that it heard of (empty when all were reached).
    /// </summary>
    ValueTask<IReadOnlyList<Envelope>> AnnounceAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken);

    /// <summary>Closes the device's live connection, wherever it is, telling it why.</summary>
    ValueTask RevokeAsync(DeviceKey device, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// A device is connecting here: start hearing for it, and close its older connections elsewhere. Called before
    /// the connection reads its backlog, so nothing committed in between goes unheard.
    /// </summary>
    ValueTask AttachedAsync(DeviceKey device, string connectionId, CancellationToken cancellationToken);

    /// <summary>A device's connection here ended.</summary>
    ValueTask DetachedAsync(DeviceKey device, string connectionId, CancellationToken cancellationToken);

    /// <summary>Whether the device has a live connection on any instance; when that cannot be known, false (a push wakes it).</summary>
    ValueTask<bool> IsConnectedAnywhereAsync(DeviceKey device, CancellationToken cancellationToken);
}
