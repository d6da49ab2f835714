using E2eeChat.Domain.Messages;
using Xunit;

namespace E2eeChat.Domain.Tests.Messages;

// 2 devices take the small-set path (a linear search), 40 the general one.
public sealed class DeviceSetValidatorTests
{
    private static readonly Guid User = Guid.Parse("0193a5c2-8d07-7a31-8e2f-6a5b4c3d2e1f");

    [Theory]
    [InlineData(2)]
    [InlineData(40)]
    public void The_current_devices_in_another_order_match(int devices)
    {
        var current = Devices(devices);

        Assert.Null(DeviceSetValidator.Compare(current, [.. current.Reverse()]));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(40)]
    public void A_device_left_out_is_missing(int devices)
    {
        var current = Devices(devices);

        var mismatch = Assert.Single(DeviceSetValidator.Compare(current, current[1..])!);

        Assert.Equal([1], mismatch.MissingDevices);
        Assert.Empty(mismatch.ExtraDevices);
        Assert.Empty(mismatch.StaleDevices);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(40)]
    public void A_device_that_is_not_current_is_extra_and_an_old_registration_id_is_stale(int devices)
    {
        var current = Devices(devices);
        DeviceAddress[] addressed = [.. current[1..], current[0] with { RegistrationId = 7 }, new DeviceAddress(User, 99, 5)];

        var mismatch = Assert.Single(DeviceSetValidator.Compare(current, addressed)!);

        Assert.Equal([99], mismatch.ExtraDevices);
        Assert.Equal([1], mismatch.StaleDevices);
        Assert.Empty(mismatch.MissingDevices);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(40)]
    public void A_device_named_twice_in_place_of_another_leaves_that_one_missing(int devices)
    {
        var current = Devices(devices);
        DeviceAddress[] addressed = [current[0], .. current[..^1]];

        var mismatch = Assert.Single(DeviceSetValidator.Compare(current, addressed)!);

        Assert.Equal([devices], mismatch.MissingDevices);
        Assert.Empty(mismatch.ExtraDevices);
    }

    private static DeviceAddress[] Devices(int count) =>
        [.. Enumerable.Range(1, count).Select(id => new DeviceAddress(User, id, 1000 + id))];
}
