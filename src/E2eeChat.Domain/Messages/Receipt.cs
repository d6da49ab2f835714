namespace E2eeChat.Domain.Messages;

public enum DeliveryStatus
{
    Sent = 0,
    Delivered = 1,
    Read = 2,
}

/// <summary>A change of one message's status at one destination device, for the sender's devices.</summary>
public sealed record Receipt(Guid MessageId, Guid SenderUserId, Guid UserId, int DeviceId, DeliveryStatus Status, long At);

/// <summary>Where one message stands at each destination device.</summary>
public sealed record RecipientStatus(Guid UserId, int DeviceId, DeliveryStatus Status, long At);
