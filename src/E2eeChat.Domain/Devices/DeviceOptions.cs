using E2eeChat.Domain.Common;

namespace E2eeChat.Domain.Devices;

public sealed class DeviceOptions : IValidatedOptions
{
    /// <summary>Devices per account, the primary included.</summary>
    public int MaxDevices { get; set; } = 6;

    public TimeSpan LinkCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    public void Validate()
    {
        if (MaxDevices is < 1 or > 100)
        {
            throw new InvalidOperationException($"Devices:MaxDevices must be from 1 to 100, not {MaxDevices}.");
        }
        if (LinkCodeLifetime < TimeSpan.FromMinutes(1) || LinkCodeLifetime > TimeSpan.FromDays(1))
        {
            throw new InvalidOperationException($"Devices:LinkCodeLifetime must be from 00:01:00 to 1.00:00:00, not {LinkCodeLifetime:c}.");
        }
    }
}
