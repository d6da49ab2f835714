namespace E2eeChat.Domain.Push;

/// <summary>
/// Owns the push registrations, one per device (deleted with the device), and the per-device "a wake-up is pending"
/// flag that coalesces wake-ups: set atomically by the one who sends a wake-up, cleared when the device connects.
/// </summary>
public interface IPushRegistrationStore
{
    /// <summary>Registers, or replaces, the device's registration; a new registration has no wake-up pending.</summary>
    Task SetAsync(PushRegistration registration, DateTimeOffset now, CancellationToken cancellationToken);

    Task<PushRegistration?> FindAsync(Guid userId, int deviceId, CancellationToken cancellationToken);

    /// <summary>False when the device had none.</summary>
    Task<bool> RemoveAsync(Guid userId, int deviceId, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the registration only while it is still this one (same kind and endpoint): a push service's 404/410
    /// retires the subscription it answered for, never one the device registered meanwhile.
    /// </summary>
    Task<bool> RemoveIfUnchangedAsync(PushRegistration registration, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a wake-up pending and returns the registration to send it to, in one atomic step; null when the device
    /// has no registration or a wake-up is pending already (so concurrent sends, on any instance, wake it once).
    /// </summary>
    Task<PushRegistration?> ClaimWakeUpAsync(Guid userId, int deviceId, CancellationToken cancellationToken);

    /// <summary>Clears the pending flag: the device connected, or its wake-up could not be delivered.</summary>
    Task ClearWakeUpAsync(Guid userId, int deviceId, CancellationToken cancellationToken);
}
