namespace E2eeChat.Domain.Devices;

public sealed class DeviceOptions
{
    /// <summary>Devices per account, the primary included.</summary>
    public int MaxDevices { get; set; } = 6;

    public TimeSpan LinkCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);
}
