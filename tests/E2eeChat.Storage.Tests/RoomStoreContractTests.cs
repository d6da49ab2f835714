using E2eeChat.Domain.Messages;
using E2eeChat.Domain.Rooms;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>
/// Room behaviour every store must have: roles checked under lock, membership only by accepting an invitation, promotion,
/// limits, and sends to the members of the moment.
/// </summary>
public abstract class RoomStoreContractTests : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;
    protected const long Now = 1_800_000_000_000;
    private const int Unlimited = 1000;

    protected TempDirectory Directory { get; } = new("e2eechat-rooms");

    protected SqlStorage Storage { get; private set; } = null!;

    protected IRoomStore Rooms => Storage.Rooms;

    protected IMailboxStore Mailbox => Storage.Mailboxes;

    protected abstract Task<SqlStorage> CreateStorageAsync();

    public async Task InitializeAsync() => Storage = await CreateStorageAsync();

    public async Task DisposeAsync()
    {
        await Storage.DisposeAsync();
        Directory.Dispose();
    }

    [Fact]
    public async Task Created_room_is_visible_to_its_members_only_with_the_creator_as_admin()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());

        var room = await CreateAsync(alice, bob);

        var asBob = await Rooms.FindAsync(room.RoomId, bob.UserId, None);
        Assert.NotNull(asBob);
        Assert.Equal("team", asBob.Name);
        Assert.Equal(At(0), asBob.CreatedAt);
        Assert.Equal([(alice.UserId, RoomRole.Admin), (bob.UserId, RoomRole.Member)], Roles(asBob));
        Assert.Empty(asBob.Invitations);
        Assert.Null(await Rooms.FindAsync(room.RoomId, carol.UserId, None));
        Assert.Null(await Rooms.FindAsync(Guid.NewGuid(), alice.UserId, None));
    }

    [Fact]
    public async Task Create_invites_and_the_invitee_is_no_member_until_accepting()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());

        var created = await Rooms.CreateAsync(NewRoom(alice.UserId, [bob.UserId]), Unlimited, Unlimited, None);
        var room = created.Room!;
        var invitations = await Rooms.InvitationsAsync(bob.UserId, None);
        var asAliceBefore = await Rooms.FindAsync(room.RoomId, alice.UserId, None);
        var asBobBefore = await Rooms.FindAsync(room.RoomId, bob.UserId, None);
        var bobsRoomsBefore = await Rooms.ListAsync(bob.UserId, None);
        var peersBefore = await Rooms.PeersAsync(alice.UserId, None);
        var accepted = await Rooms.AcceptAsync(room.RoomId, bob.UserId, At(5), Unlimited, Unlimited, None);

        Assert.Equal(RoomChangeStatus.Done, created.Status);
        Assert.Equal([(alice.UserId, RoomRole.Admin)], Roles(asAliceBefore));
        Assert.Equal([new RoomInvitation(bob.UserId, RoomRole.Member, alice.UserId, At(0))], asAliceBefore!.Invitations);
        var invitation = Assert.Single(invitations);
        Assert.Equal(new PendingInvitation(room.RoomId, "team", RoomRole.Member, alice.UserId, At(0)), invitation);
        Assert.Null(asBobBefore);
        Assert.Empty(bobsRoomsBefore);
        Assert.Empty(peersBefore);
        Assert.Equal(RoomChangeStatus.Done, accepted.Status);
        Assert.Equal([(alice.UserId, RoomRole.Admin), (bob.UserId, RoomRole.Member)], Roles(accepted.Room));
        Assert.Empty(accepted.Room!.Invitations);
        Assert.Equal(At(5), accepted.Room.Members[1].JoinedAt);
        Assert.Equal([bob.UserId], await Rooms.PeersAsync(alice.UserId, None));
        Assert.Empty(await Rooms.InvitationsAsync(bob.UserId, None));
        Assert.Equal([room.RoomId], (await Rooms.ListAsync(bob.UserId, None)).Select(r => r.RoomId));
    }

    [Fact]
    public async Task Members_see_the_pending_invitations_with_who_invited_and_the_role_offered()
    {
        var (alice, bob, carol, dave) = (await UserAsync(), await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob);

        await Rooms.InviteAsync(room.RoomId, alice.UserId, new RoomInvitation(carol.UserId, RoomRole.Admin, alice.UserId, At(1)),
            Unlimited, Unlimited, None);
        await Rooms.InviteAsync(room.RoomId, alice.UserId, new RoomInvitation(dave.UserId, RoomRole.Member, alice.UserId, At(2)),
            Unlimited, Unlimited, None);
        var asBob = await Rooms.FindAsync(room.RoomId, bob.UserId, None);
        var listed = Assert.Single(await Rooms.ListAsync(bob.UserId, None));
        var carolJoins = await Rooms.AcceptAsync(room.RoomId, carol.UserId, At(3), Unlimited, Unlimited, None);

        RoomInvitation[] expected = [new(carol.UserId, RoomRole.Admin, alice.UserId, At(1)), new(dave.UserId, RoomRole.Member, alice.UserId, At(2))];
        Assert.Equal(expected, asBob!.Invitations);
        Assert.Equal(expected, listed.Invitations);
        Assert.Equal(RoomRole.Admin, carolJoins.Room!.Members[^1].Role);
        Assert.Equal([expected[1]], carolJoins.Room.Invitations);
    }

    [Fact]
    public async Task Create_with_an_unknown_user_stores_nothing_and_names_the_user()
    {
        var alice = await UserAsync();
        var ghost = Guid.NewGuid();
        var room = NewRoom(alice.UserId, [ghost]);

        var change = await Rooms.CreateAsync(room, Unlimited, Unlimited, None);

        Assert.Equal(RoomChangeStatus.UserNotFound, change.Status);
        Assert.Equal(ghost, change.UserId);
        Assert.Null(await Rooms.FindAsync(room.RoomId, alice.UserId, None));
        Assert.Empty(await Rooms.ListAsync(alice.UserId, None));
    }

    [Fact]
    public async Task List_returns_the_users_rooms_oldest_first_with_every_member()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        // Created newest first, so neither insertion order nor id order gives the expected answer by chance.
        var third = await CreateAsync(alice, [carol], createdAt: At(30));
        await CreateAsync(bob, [carol], createdAt: At(25));
        var second = await CreateAsync(carol, [alice, bob], createdAt: At(20));
        var first = await CreateAsync(alice, [bob], createdAt: At(10));

        var rooms = await Rooms.ListAsync(alice.UserId, None);

        Assert.Equal([first.RoomId, second.RoomId, third.RoomId], rooms.Select(r => r.RoomId));
        Assert.Equal([2, 3, 2], rooms.Select(r => r.Members.Count));
        Assert.Equal([carol.UserId, alice.UserId, bob.UserId], Members(rooms[1]));
    }

    [Fact]
    public async Task Only_an_admin_renames_and_a_non_member_is_told_the_room_does_not_exist()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob);

        var byMember = await Rooms.RenameAsync(room.RoomId, bob.UserId, "bob's", None);
        var byOutsider = await Rooms.RenameAsync(room.RoomId, carol.UserId, "carol's", None);
        var byAdmin = await Rooms.RenameAsync(room.RoomId, alice.UserId, "renamed", None);

        Assert.Equal(RoomChangeStatus.NotAdmin, byMember.Status);
        Assert.Equal(RoomChangeStatus.RoomNotFound, byOutsider.Status);
        Assert.Equal(RoomChangeStatus.Done, byAdmin.Status);
        Assert.Equal("renamed", (await Rooms.FindAsync(room.RoomId, bob.UserId, None))!.Name);
    }

    [Fact]
    public async Task Only_an_admin_deletes_and_the_room_and_its_invitations_are_gone_for_everyone()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob);
        await InviteAsync(room, alice, carol);

        var byMember = await Rooms.DeleteAsync(room.RoomId, bob.UserId, None);
        var byAdmin = await Rooms.DeleteAsync(room.RoomId, alice.UserId, None);
        var again = await Rooms.DeleteAsync(room.RoomId, alice.UserId, None);

        Assert.Equal(RoomChangeStatus.NotAdmin, byMember.Status);
        Assert.Equal(RoomChangeStatus.Done, byAdmin.Status);
        Assert.True(byAdmin.Deleted);
        Assert.Equal(2, byAdmin.Room!.Members.Count);
        Assert.Equal([carol.UserId], byAdmin.Room.Invitations.Select(i => i.UserId));
        Assert.Equal(RoomChangeStatus.RoomNotFound, again.Status);
        Assert.Empty(await Rooms.ListAsync(bob.UserId, None));
        Assert.Empty(await Rooms.InvitationsAsync(carol.UserId, None));
        Assert.Equal(RoomChangeStatus.InvitationNotFound,
            (await Rooms.AcceptAsync(room.RoomId, carol.UserId, At(1), Unlimited, Unlimited, None)).Status);
    }

    [Fact]
    public async Task A_member_removes_only_themselves_and_an_admin_removes_anyone()
    {
        var (alice, bob, carol, dave) = (await UserAsync(), await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob, carol, dave);

        var bobRemovesCarol = await Rooms.RemoveMemberAsync(room.RoomId, bob.UserId, carol.UserId, None);
        var bobLeaves = await Rooms.RemoveMemberAsync(room.RoomId, bob.UserId, bob.UserId, None);
        var aliceRemovesCarol = await Rooms.RemoveMemberAsync(room.RoomId, alice.UserId, carol.UserId, None);
        var aliceRemovesCarolAgain = await Rooms.RemoveMemberAsync(room.RoomId, alice.UserId, carol.UserId, None);

        Assert.Equal(RoomChangeStatus.NotAdmin, bobRemovesCarol.Status);
        Assert.Equal(RoomChangeStatus.Done, bobLeaves.Status);
        Assert.Equal(RoomChangeStatus.Done, aliceRemovesCarol.Status);
        Assert.False(aliceRemovesCarol.Uninvited);
        Assert.Null(aliceRemovesCarol.PromotedUserId);
        Assert.Equal(RoomChangeStatus.MemberNotFound, aliceRemovesCarolAgain.Status);
        Assert.Equal([alice.UserId, dave.UserId], Members(await Rooms.FindAsync(room.RoomId, alice.UserId, None)));
    }

    [Fact]
    public async Task Only_an_admin_withdraws_an_invitation_and_the_invitee_cannot_accept_it_after()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob);
        await InviteAsync(room, alice, carol);

        var byMember = await Rooms.RemoveMemberAsync(room.RoomId, bob.UserId, carol.UserId, None);
        var byInvitee = await Rooms.RemoveMemberAsync(room.RoomId, carol.UserId, carol.UserId, None);
        var byAdmin = await Rooms.RemoveMemberAsync(room.RoomId, alice.UserId, carol.UserId, None);
        var accept = await Rooms.AcceptAsync(room.RoomId, carol.UserId, At(1), Unlimited, Unlimited, None);

        Assert.Equal(RoomChangeStatus.NotAdmin, byMember.Status);
        Assert.Equal(RoomChangeStatus.RoomNotFound, byInvitee.Status);
        Assert.Equal(RoomChangeStatus.Done, byAdmin.Status);
        Assert.True(byAdmin.Uninvited);
        Assert.Empty(byAdmin.Room!.Invitations);
        Assert.Equal(RoomChangeStatus.InvitationNotFound, accept.Status);
        Assert.Empty(await Rooms.InvitationsAsync(carol.UserId, None));
        Assert.Equal([alice.UserId, bob.UserId], Members(await Rooms.FindAsync(room.RoomId, alice.UserId, None)));
    }

    [Fact]
    public async Task Declining_drops_the_invitation_and_only_the_invitee_has_one_to_answer()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice);
        await InviteAsync(room, alice, bob);

        var byOther = await Rooms.DeclineAsync(room.RoomId, carol.UserId, None);
        var acceptByOther = await Rooms.AcceptAsync(room.RoomId, carol.UserId, At(1), Unlimited, Unlimited, None);
        var declined = await Rooms.DeclineAsync(room.RoomId, bob.UserId, None);
        var again = await Rooms.DeclineAsync(room.RoomId, bob.UserId, None);
        var acceptAfter = await Rooms.AcceptAsync(room.RoomId, bob.UserId, At(1), Unlimited, Unlimited, None);
        var unknownRoom = await Rooms.AcceptAsync(Guid.NewGuid(), bob.UserId, At(1), Unlimited, Unlimited, None);

        Assert.Equal(RoomChangeStatus.InvitationNotFound, byOther.Status);
        Assert.Equal(RoomChangeStatus.InvitationNotFound, acceptByOther.Status);
        Assert.Equal(RoomChangeStatus.Done, declined.Status);
        Assert.Empty(declined.Room!.Invitations);
        Assert.Equal(RoomChangeStatus.InvitationNotFound, again.Status);
        Assert.Equal(RoomChangeStatus.InvitationNotFound, acceptAfter.Status);
        Assert.Equal(RoomChangeStatus.InvitationNotFound, unknownRoom.Status);
        Assert.Equal([alice.UserId], Members(await Rooms.FindAsync(room.RoomId, alice.UserId, None)));
    }

    [Fact]
    public async Task Last_admin_leaving_promotes_the_oldest_member()
    {
        var (alice, bob, carol, dave) = (await UserAsync(), await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob);
        await AddAsync(room, alice, carol);
        await AddAsync(room, alice, dave);
        // Bob leaves and comes back: his new join is the latest.
        await Rooms.RemoveMemberAsync(room.RoomId, bob.UserId, bob.UserId, None);
        await AddAsync(room, alice, bob);

        var change = await Rooms.RemoveMemberAsync(room.RoomId, alice.UserId, alice.UserId, None);

        Assert.Equal(carol.UserId, change.PromotedUserId);
        Assert.Equal([(carol.UserId, RoomRole.Admin), (dave.UserId, RoomRole.Member), (bob.UserId, RoomRole.Member)],
            Roles(await Rooms.FindAsync(room.RoomId, bob.UserId, None)));
    }

    [Fact]
    public async Task An_admin_leaving_while_another_admin_remains_promotes_no_one()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob);
        await AddAsync(room, alice, carol, RoomRole.Admin);

        var change = await Rooms.RemoveMemberAsync(room.RoomId, alice.UserId, alice.UserId, None);

        Assert.Null(change.PromotedUserId);
        Assert.Equal([(bob.UserId, RoomRole.Member), (carol.UserId, RoomRole.Admin)],
            Roles(await Rooms.FindAsync(room.RoomId, bob.UserId, None)));
    }

    [Fact]
    public async Task Last_member_leaving_deletes_the_room_and_its_invitations()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice);
        await InviteAsync(room, alice, bob);

        var change = await Rooms.RemoveMemberAsync(room.RoomId, alice.UserId, alice.UserId, None);

        Assert.True(change.Deleted);
        Assert.Equal([bob.UserId], change.Room!.Invitations.Select(i => i.UserId));
        Assert.Equal(RoomChangeStatus.RoomNotFound, (await Rooms.RenameAsync(room.RoomId, alice.UserId, "x", None)).Status);
        Assert.Empty(await Rooms.ListAsync(alice.UserId, None));
        Assert.Empty(await Rooms.InvitationsAsync(bob.UserId, None));
    }

    [Fact]
    public async Task Only_an_admin_invites_and_inviting_a_member_or_an_invitee_again_changes_nothing()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob);

        var byMember = await Rooms.InviteAsync(room.RoomId, bob.UserId, Invitation(carol, bob), Unlimited, Unlimited, None);
        var byOutsider = await Rooms.InviteAsync(room.RoomId, carol.UserId, Invitation(carol, carol), Unlimited, Unlimited, None);
        var member = await Rooms.InviteAsync(room.RoomId, alice.UserId, Invitation(bob, alice), Unlimited, Unlimited, None);
        var first = await Rooms.InviteAsync(room.RoomId, alice.UserId, Invitation(carol, alice), Unlimited, Unlimited, None);
        var again = await Rooms.InviteAsync(room.RoomId, alice.UserId, Invitation(carol, alice) with { Role = RoomRole.Admin },
            Unlimited, Unlimited, None);
        var unknown = await Rooms.InviteAsync(room.RoomId, alice.UserId,
            new RoomInvitation(Guid.NewGuid(), RoomRole.Member, alice.UserId, At(0)), Unlimited, Unlimited, None);

        Assert.Equal(RoomChangeStatus.NotAdmin, byMember.Status);
        Assert.Equal(RoomChangeStatus.RoomNotFound, byOutsider.Status);
        Assert.Equal(RoomChangeStatus.Unchanged, member.Status);
        Assert.Equal(RoomChangeStatus.Done, first.Status);
        Assert.Equal(RoomChangeStatus.Unchanged, again.Status);
        Assert.Equal(RoomChangeStatus.UserNotFound, unknown.Status);
        var room2 = await Rooms.FindAsync(room.RoomId, alice.UserId, None);
        Assert.Equal([alice.UserId, bob.UserId], Members(room2));
        Assert.Equal([(carol.UserId, RoomRole.Member)], room2!.Invitations.Select(i => (i.UserId, i.Role)));
    }

    [Fact]
    public async Task Invitations_do_not_count_against_the_rooms_per_user_and_a_refused_accept_keeps_the_invitation()
    {
        var popular = await UserAsync();
        var admins = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => UserAsync()));
        var rooms = new List<Room>();
        foreach (var admin in admins)
        {
            // Invited newest first: the list must order them by when, not by insertion or id.
            var created = await Rooms.CreateAsync(NewRoom(admin.UserId, [popular.UserId], At(100 - rooms.Count)), maxRoomsPerUser: 2,
                Unlimited, None);
            Assert.Equal(RoomChangeStatus.Done, created.Status);
            rooms.Add(created.Room!);
        }

        var own = await Rooms.CreateAsync(NewRoom(popular.UserId, []), maxRoomsPerUser: 2, Unlimited, None);
        var accepted = await Rooms.AcceptAsync(rooms[0].RoomId, popular.UserId, At(1), Unlimited, maxRoomsPerUser: 2, None);
        var refused = await Rooms.AcceptAsync(rooms[1].RoomId, popular.UserId, At(1), Unlimited, maxRoomsPerUser: 2, None);
        var ownThird = await Rooms.CreateAsync(NewRoom(popular.UserId, []), maxRoomsPerUser: 2, Unlimited, None);

        Assert.Equal(RoomChangeStatus.Done, own.Status);
        Assert.Equal(RoomChangeStatus.Done, accepted.Status);
        Assert.Equal(RoomChangeStatus.TooManyRooms, refused.Status);
        Assert.Equal(popular.UserId, refused.UserId);
        Assert.Equal(RoomChangeStatus.TooManyRooms, ownThird.Status);
        Assert.Equal([rooms[3].RoomId, rooms[2].RoomId, rooms[1].RoomId],
            (await Rooms.InvitationsAsync(popular.UserId, None)).Select(i => i.RoomId));
        Assert.Equal(2, (await Rooms.ListAsync(popular.UserId, None)).Count);
    }

    [Fact]
    public async Task Concurrent_invitations_never_exceed_the_room_size_counting_members_and_invitees()
    {
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob);
        var candidates = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => UserAsync()));

        var invitations = await Task.WhenAll(candidates.Select(c =>
            Rooms.InviteAsync(room.RoomId, alice.UserId, Invitation(c, alice), maxMembers: 5, Unlimited, None)));
        var accepts = await Task.WhenAll(candidates.Select(c =>
            Rooms.AcceptAsync(room.RoomId, c.UserId, At(1), maxMembers: 5, Unlimited, None)));

        Assert.Equal(3, invitations.Count(i => i.Status == RoomChangeStatus.Done));
        Assert.Equal(7, invitations.Count(i => i.Status == RoomChangeStatus.RoomFull));
        Assert.Equal(3, accepts.Count(a => a.Status == RoomChangeStatus.Done));
        Assert.Equal(5, (await Rooms.FindAsync(room.RoomId, alice.UserId, None))!.Members.Count);
    }

    [Fact]
    public async Task Concurrent_invitations_across_rooms_never_exceed_the_pending_invitations_per_user()
    {
        var popular = await UserAsync();
        var admins = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => UserAsync()));
        var rooms = await Task.WhenAll(admins.Take(4).Select(a => CreateAsync(a)));

        // Four invitations to existing rooms race four creates that invite the same user.
        var changes = await Task.WhenAll(
            rooms.Select((r, i) => Rooms.InviteAsync(r.RoomId, admins[i].UserId, Invitation(popular, admins[i]), Unlimited,
                    maxPendingInvitations: 3, None))
                .Concat(admins.Skip(4).Select(a => Rooms.CreateAsync(NewRoom(a.UserId, [popular.UserId]), Unlimited,
                    maxPendingInvitations: 3, None))));

        Assert.Equal(3, changes.Count(c => c.Status == RoomChangeStatus.Done));
        Assert.All(changes.Where(c => c.Status != RoomChangeStatus.Done), c =>
        {
            Assert.Equal(RoomChangeStatus.TooManyInvitations, c.Status);
            Assert.Equal(popular.UserId, c.UserId);
        });
        Assert.Equal(3, (await Rooms.InvitationsAsync(popular.UserId, None)).Count);
    }

    [Fact]
    public async Task Concurrent_accepts_and_creates_never_exceed_the_rooms_per_user()
    {
        var popular = await UserAsync();
        var admins = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => UserAsync()));
        var rooms = new List<Room>();
        foreach (var admin in admins)
        {
            rooms.Add((await Rooms.CreateAsync(NewRoom(admin.UserId, [popular.UserId]), Unlimited, Unlimited, None)).Room!);
        }

        // Four accepts race four rooms the same user creates.
        var changes = await Task.WhenAll(
            rooms.Select(r => Rooms.AcceptAsync(r.RoomId, popular.UserId, At(1), Unlimited, maxRoomsPerUser: 3, None))
                .Concat(Enumerable.Range(0, 4).Select(_ => Rooms.CreateAsync(NewRoom(popular.UserId, []), maxRoomsPerUser: 3, Unlimited, None))));

        Assert.Equal(3, changes.Count(c => c.Status == RoomChangeStatus.Done));
        Assert.All(changes.Where(c => c.Status != RoomChangeStatus.Done), c =>
        {
            Assert.Equal(RoomChangeStatus.TooManyRooms, c.Status);
            Assert.Equal(popular.UserId, c.UserId);
        });
        Assert.Equal(3, (await Rooms.ListAsync(popular.UserId, None)).Count);
    }

    [Fact]
    public async Task Admin_and_oldest_member_leaving_together_leave_the_room_with_an_admin()
    {
        for (var round = 0; round < 5; round++)
        {
            var (alice, bob, carol, dave) = (await UserAsync(), await UserAsync(), await UserAsync(), await UserAsync());
            var room = await CreateAsync(alice);
            await AddAsync(room, alice, bob);
            await AddAsync(room, alice, carol);
            await AddAsync(room, alice, dave);

            await Task.WhenAll(
                Rooms.RemoveMemberAsync(room.RoomId, alice.UserId, alice.UserId, None),
                Rooms.RemoveMemberAsync(room.RoomId, bob.UserId, bob.UserId, None));

            // Whichever went first, the admin is one of those who stayed, and the oldest of them.
            Assert.Equal([(carol.UserId, RoomRole.Admin), (dave.UserId, RoomRole.Member)],
                Roles(await Rooms.FindAsync(room.RoomId, carol.UserId, None)));
        }
    }

    [Fact]
    public async Task Peers_are_the_users_who_are_members_of_a_room_with_you_and_not_invitees()
    {
        var (alice, bob, carol, dave, erin) = (await UserAsync(), await UserAsync(), await UserAsync(), await UserAsync(), await UserAsync());
        await CreateAsync(alice, bob);
        var room = await CreateAsync(carol, alice, bob);
        await InviteAsync(room, carol, erin);
        await CreateAsync(dave);

        Assert.Equal(new[] { bob.UserId, carol.UserId }.Order(), (await Rooms.PeersAsync(alice.UserId, None)).Order());
        Assert.Empty(await Rooms.PeersAsync(dave.UserId, None));
        Assert.Empty(await Rooms.PeersAsync(erin.UserId, None));
    }

    [Fact]
    public async Task Room_send_reaches_every_device_of_every_member_but_the_sending_one_with_the_room_id()
    {
        var alice = await UserAsync(devices: 2);
        var bob = await UserAsync(devices: 2);
        var carol = await UserAsync();
        var room = await CreateAsync(alice, bob, carol);
        var devices = OtherDevices(alice, alice, bob, carol);

        var outcome = await Mailbox.StoreAsync(RoomBatch(room, alice, devices), None);

        Assert.Equal(StoreOutcomeKind.Stored, outcome.Kind);
        Assert.Equal(devices.Length, outcome.Envelopes.Count);
        foreach (var device in devices)
        {
            var envelope = Assert.Single(await Mailbox.ReadAsync(device.UserId, device.DeviceId, 0, 10, Now, None));
            Assert.Equal(room.RoomId, envelope.RoomId);
            Assert.Equal(outcome.Result!.MessageId, envelope.MessageId);
        }
        Assert.Empty(await Mailbox.ReadAsync(alice.UserId, 1, 0, 10, Now, None));
        // A room send makes no direct contact.
        Assert.Empty(await Mailbox.MutualContactsAsync(alice.UserId, None));
    }

    [Fact]
    public async Task Room_send_addressing_an_invitee_stores_nothing_and_an_invitee_cannot_send()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync(devices: 2));
        var room = await CreateAsync(alice, bob);
        await InviteAsync(room, alice, carol);

        var toInvitee = await Mailbox.StoreAsync(RoomBatch(room, alice, OtherDevices(alice, bob, carol)), None);
        var byInvitee = await Mailbox.StoreAsync(RoomBatch(room, carol, OtherDevices(carol, alice, bob)), None);
        var toMembers = await Mailbox.StoreAsync(RoomBatch(room, alice, OtherDevices(alice, bob)), None);

        Assert.Equal(StoreOutcomeKind.DevicesChanged, toInvitee.Kind);
        Assert.Equal([bob.UserId], toInvitee.CurrentDevices.Select(d => d.UserId));
        Assert.Equal(StoreOutcomeKind.NotRoomMember, byInvitee.Kind);
        Assert.Equal(StoreOutcomeKind.Stored, toMembers.Kind);
        Assert.Single(await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None));
        Assert.Empty(await Mailbox.ReadAsync(carol.UserId, 1, 0, 10, Now, None));
        Assert.Empty(await Mailbox.ReadAsync(carol.UserId, 2, 0, 10, Now, None));
    }

    [Fact]
    public async Task Room_send_from_a_non_member_or_to_a_deleted_room_stores_nothing()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob);

        var byOutsider = await Mailbox.StoreAsync(RoomBatch(room, carol, OtherDevices(carol, alice, bob)), None);
        await Rooms.DeleteAsync(room.RoomId, alice.UserId, None);
        var toDeleted = await Mailbox.StoreAsync(RoomBatch(room, alice, OtherDevices(alice, bob)), None);

        Assert.Equal(StoreOutcomeKind.NotRoomMember, byOutsider.Kind);
        Assert.Equal(StoreOutcomeKind.NotRoomMember, toDeleted.Kind);
        Assert.Empty(await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None));
    }

    [Fact]
    public async Task Room_send_addressing_a_removed_member_stores_nothing_and_reports_the_members_of_now()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync(devices: 2));
        var room = await CreateAsync(alice, bob, carol);
        await Rooms.RemoveMemberAsync(room.RoomId, alice.UserId, carol.UserId, None);

        var outcome = await Mailbox.StoreAsync(RoomBatch(room, alice, OtherDevices(alice, bob, carol)), None);

        Assert.Equal(StoreOutcomeKind.DevicesChanged, outcome.Kind);
        Assert.Equal([bob.UserId], outcome.CurrentDevices.Select(d => d.UserId));
        Assert.Empty(await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None));
        Assert.Empty(await Mailbox.ReadAsync(carol.UserId, 1, 0, 10, Now, None));
    }

    private protected Task<TestUser> UserAsync(int devices = 1) => TestUsers.CreateAsync(Storage, devices, Now);

    /// <summary>A room of <paramref name="admin"/> that <paramref name="members"/> were invited to and joined.</summary>
    private protected Task<Room> CreateAsync(TestUser admin, params TestUser[] members) => CreateAsync(admin, members, At(0));

    private protected async Task<Room> CreateAsync(TestUser admin, TestUser[] members, DateTimeOffset createdAt)
    {
        var change = await Rooms.CreateAsync(NewRoom(admin.UserId, [.. members.Select(m => m.UserId)], createdAt), Unlimited,
            Unlimited, None);
        Assert.Equal(RoomChangeStatus.Done, change.Status);
        var room = change.Room!;
        foreach (var member in members)
        {
            var accepted = await Rooms.AcceptAsync(room.RoomId, member.UserId, createdAt, Unlimited, Unlimited, None);
            Assert.Equal(RoomChangeStatus.Done, accepted.Status);
            room = accepted.Room!;
        }
        return room;
    }

    private protected static MailboxBatch RoomBatch(Room room, TestUser sender, IReadOnlyList<DeviceAddress> devices) =>
        new(Guid.CreateVersion7(), sender.UserId, 1, null, room.RoomId, Now - 10, Now, null, [],
            devices.Select(d => new PendingEnvelope(d, EnvelopeType.SenderKey, Guid.NewGuid().ToByteArray())).ToArray());

    /// <summary>Every device of <paramref name="members"/> but the sender's device 1.</summary>
    private protected static DeviceAddress[] OtherDevices(TestUser sender, params TestUser[] members) =>
        members.SelectMany(m => m.Devices).Where(d => !(d.UserId == sender.UserId && d.DeviceId == 1)).ToArray();

    /// <summary>The test clock: <paramref name="ms"/> milliseconds after <see cref="Now"/>.</summary>
    private protected static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(Now + ms);

    private static Room NewRoom(Guid admin, Guid[] invitees, DateTimeOffset? createdAt = null)
    {
        var at = createdAt ?? At(0);
        return new Room(Guid.NewGuid(), "team", [new RoomMember(admin, RoomRole.Admin, at)], at)
        {
            Invitations = [.. invitees.Select(i => new RoomInvitation(i, RoomRole.Member, admin, at))],
        };
    }

    private async Task InviteAsync(Room room, TestUser admin, TestUser user, RoomRole role = RoomRole.Member)
    {
        var invitation = Invitation(user, admin) with { Role = role };
        Assert.Equal(RoomChangeStatus.Done,
            (await Rooms.InviteAsync(room.RoomId, admin.UserId, invitation, Unlimited, Unlimited, None)).Status);
    }

    /// <summary>Invited, then accepted.</summary>
    private async Task AddAsync(Room room, TestUser admin, TestUser user, RoomRole role = RoomRole.Member)
    {
        await InviteAsync(room, admin, user, role);
        Assert.Equal(RoomChangeStatus.Done, (await Rooms.AcceptAsync(room.RoomId, user.UserId, At(0), Unlimited, Unlimited, None)).Status);
    }

    private static RoomInvitation Invitation(TestUser user, TestUser by) => new(user.UserId, RoomRole.Member, by.UserId, At(0));

    private static Guid[] Members(Room? room) => room!.Members.Select(m => m.UserId).ToArray();

    private static (Guid, RoomRole)[] Roles(Room? room) => room!.Members.Select(m => (m.UserId, m.Role)).ToArray();
}

public sealed class SqliteRoomStoreContractTests : RoomStoreContractTests
{
    protected override Task<SqlStorage> CreateStorageAsync() => StorageFactory.SqliteAsync(Directory);
}

/// <summary>On PostgreSQL, plus how room sends and membership changes meet on the room's row lock.</summary>
public sealed class PostgresRoomStoreContractTests : RoomStoreContractTests
{
    private string _connectionString = null!;

    [Fact]
    public async Task Room_send_waiting_on_a_membership_change_addresses_the_members_after_it()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob, carol);
        await using var change = await BeginAsync();
        // A removal in flight: room locked first, as every membership change does, then carol's row deleted.
        await ExecuteAsync(change, $"{LockRoom}; DELETE FROM room_members WHERE room_id = @room AND user_id = @user", room.RoomId, carol.UserId);

        var send = Mailbox.StoreAsync(RoomBatch(room, alice, OtherDevices(alice, bob, carol)), None);
        await WaitForLockWaitersAsync(1);
        Assert.False(send.IsCompleted);
        await change.CommitAsync();
        var outcome = await send;

        Assert.Equal(StoreOutcomeKind.DevicesChanged, outcome.Kind);
        Assert.Equal([bob.UserId], outcome.CurrentDevices.Select(d => d.UserId));
        Assert.Empty(await Mailbox.ReadAsync(carol.UserId, 1, 0, 10, Now, None));
        Assert.Empty(await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None));
    }

    [Fact]
    public async Task Membership_change_waits_for_a_room_send_holding_the_room()
    {
        var (alice, bob, carol) = (await UserAsync(), await UserAsync(), await UserAsync());
        var room = await CreateAsync(alice, bob, carol);
        await using var send = await BeginAsync();
        await ExecuteAsync(send, LockRoom, room.RoomId, alice.UserId);

        var removal = Rooms.RemoveMemberAsync(room.RoomId, alice.UserId, carol.UserId, None);
        await WaitForLockWaitersAsync(1);
        Assert.False(removal.IsCompleted);
        await send.CommitAsync();

        Assert.Equal(RoomChangeStatus.Done, (await removal).Status);
    }

    protected override async Task<SqlStorage> CreateStorageAsync()
    {
        _connectionString = await (await Testing.Postgres.PostgresServer.Shared).CreateDatabaseAsync();
        return await StorageFactory.PostgresAsync(_connectionString);
    }

    private const string LockRoom = "SELECT room_id FROM rooms WHERE room_id = @room FOR UPDATE";

    private async Task<Npgsql.NpgsqlTransaction> BeginAsync()
    {
        var connection = new Npgsql.NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        return await connection.BeginTransactionAsync();
    }

    private static async Task ExecuteAsync(Npgsql.NpgsqlTransaction transaction, string sql, Guid room, Guid user)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, transaction.Connection, transaction);
        command.Parameters.AddWithValue("room", room);
        command.Parameters.AddWithValue("user", user);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Waits until <paramref name="count"/> sessions of this database wait on a lock.</summary>
    private async Task WaitForLockWaitersAsync(int count)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        await Wait.UntilAsync(async () => (long)(await command.ExecuteScalarAsync())! >= count, TimeSpan.FromSeconds(10),
            $"{count} session(s) to wait on the room's lock");
    }
}
