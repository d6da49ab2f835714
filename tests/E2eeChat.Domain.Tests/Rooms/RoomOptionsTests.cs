using E2eeChat.Domain.Rooms;
using Xunit;

namespace E2eeChat.Domain.Tests.Rooms;

public sealed class RoomOptionsTests
{
    [Fact]
    public void Defaults_let_a_full_room_of_six_device_members_be_sent_to_in_one_send()
    {
        var options = new RoomOptions();

        Assert.Null(Record.Exception(options.Validate));
        Assert.Null(Record.Exception(() => options.ValidateFanOut(maxDevicesPerUser: 6)));
    }

    [Theory]
    [InlineData(1, 10, 10, 6)]
    [InlineData(100, 0, 10, 6)]
    [InlineData(100, 10, 0, 6)]
    [InlineData(200, 10, 10, 6)]
    public void Settings_that_cannot_work_fail_at_start_up(int maxMembers, int maxRoomsPerUser, int maxPendingInvitations, int maxDevices)
    {
        var options = new RoomOptions
        {
            MaxMembers = maxMembers,
            MaxRoomsPerUser = maxRoomsPerUser,
            MaxPendingInvitationsPerUser = maxPendingInvitations,
        };

        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            options.Validate();
            options.ValidateFanOut(maxDevices);
        });

        Assert.StartsWith("Rooms:Max", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Devices:MaxDevices", 0, 10)]
    [InlineData("Devices:LinkCodeLifetime", 6, 0)]
    public void Device_settings_that_cannot_work_fail_at_start_up(string setting, int maxDevices, int linkCodeMinutes)
    {
        var options = new Devices.DeviceOptions { MaxDevices = maxDevices, LinkCodeLifetime = TimeSpan.FromMinutes(linkCodeMinutes) };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.StartsWith(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_creations_invitees_are_its_distinct_member_ids_without_the_creator_in_order()
    {
        var (creator, bob, carol) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        Assert.Equal([carol, bob], RoomRules.Invitees(creator, [carol, creator, bob, carol]));
        Assert.Empty(RoomRules.Invitees(creator, null));
    }

    [Fact]
    public void Room_names_are_1_to_128_printable_characters()
    {
        Assert.Equal("team", RoomRules.ValidateName("team"));
        Assert.Equal(new string('x', 128), RoomRules.ValidateName(new string('x', 128)));
        foreach (var bad in new[] { null, "", " ", "a\nb", new string('x', 129) })
        {
            Assert.Equal("invalid_room_name", Assert.Throws<Errors.DomainException>(() => RoomRules.ValidateName(bad)).Code);
        }
    }
}
