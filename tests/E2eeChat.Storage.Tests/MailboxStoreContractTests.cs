using E2eeChat.Domain.Messages;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>Mailbox behaviour every store must have: atomic sends, order, acks, receipts, expiry.</summary>
public abstract class MailboxStoreContractTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private const long Now = 1_800_000_000_000;

    protected TempDirectory Directory { get; } = new("e2eechat-mailbox");

    private SqlStorage _storage = null!;
    private IMailboxStore Mailbox => _storage.Mailboxes;

    /// <summary>
    /// Storage on this test's database (created by the first call); <paramref name="groupCommit"/> and <paramref name="quota"/> as
    /// given, else the defaults.
    /// </summary>
    protected abstract Task<SqlStorage> CreateStorageAsync(GroupCommitOptions? groupCommit = null, MailboxQuota? quota = null);

    public async Task InitializeAsync() => _storage = await CreateStorageAsync();

    /// <summary>
    /// The same database from now on through storage whose sends (and acks) are held until <paramref name="size"/> of them are
    /// queued (or a second passed), so that they share one transaction.
    /// </summary>
    private async Task UseBatchesOfAsync(int size, MailboxQuota? quota = null)
    {
        await _storage.DisposeAsync();
        _storage = await CreateStorageAsync(
            new GroupCommitOptions { MaxBatchSize = size, MaxDelay = TimeSpan.FromSeconds(1), Writers = 1 }, quota);
    }

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        Directory.Dispose();
    }

    [Fact]
    public async Task Stored_send_gives_each_device_its_next_sequence_and_reads_back_in_order()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 2);

        var first = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);
        var second = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);

        Assert.Equal(StoreOutcomeKind.Stored, first.Kind);
        Assert.Equal(StoreOutcomeKind.Stored, second.Kind);
        Assert.All(first.Envelopes, e => Assert.Equal(1, e.Sequence));
        Assert.All(second.Envelopes, e => Assert.Equal(2, e.Sequence));
        var mailbox = await Mailbox.ReadAsync(bob.UserId, 2, 0, 10, Now, None);
        Assert.Equal([first.Result!.MessageId, second.Result!.MessageId], mailbox.Select(e => e.MessageId));
        Assert.Equal(first.Envelopes.Single(e => e.DestinationDeviceId == 2).Content, mailbox[0].Content);
        Assert.False(first.Result.NeedsSync);
    }

    [Fact]
    public async Task Send_with_a_missing_device_stores_nothing_and_reports_the_current_devices()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 2);

        var outcome = await Mailbox.StoreAsync(Batch(alice, bob, [bob.Devices[0]]), None);

        Assert.Equal(StoreOutcomeKind.DevicesChanged, outcome.Kind);
        Assert.Equal(2, outcome.CurrentDevices.Count);
        Assert.Empty(await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None));
        // The failed attempt consumed no sequence number.
        var ok = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);
        Assert.All(ok.Envelopes, e => Assert.Equal(1, e.Sequence));
    }

    [Fact]
    public async Task Send_with_a_stale_registration_id_stores_nothing()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 1);
        var stale = bob.Devices[0] with { RegistrationId = bob.Devices[0].RegistrationId + 1 };

        var outcome = await Mailbox.StoreAsync(Batch(alice, bob, [stale]), None);

        Assert.Equal(StoreOutcomeKind.DevicesChanged, outcome.Kind);
        Assert.Empty(await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None));
    }

    [Fact]
    public async Task Same_idempotency_key_returns_the_first_result_and_stores_once()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 1);

        var first = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices, key: "k1"), None);
        var retry = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices, key: "k1"), None);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            Mailbox.StoreAsync(Batch(alice, bob, bob.Devices, key: "k2"), None)));

        Assert.Equal(StoreOutcomeKind.Duplicate, retry.Kind);
        Assert.Equal(first.Result, retry.Result);
        Assert.Equal(1, concurrent.Count(o => o.Kind == StoreOutcomeKind.Stored));
        Assert.Single(concurrent.Select(o => o.Result!.MessageId).Distinct());
        Assert.Equal(2, (await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None)).Count);
    }

    [Fact]
    public async Task Concurrent_sends_to_one_device_get_distinct_gap_free_sequences()
    {
        var bob = await AccountAsync(devices: 1);
        var senders = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => AccountAsync(devices: 1)));

        await Task.WhenAll(senders.SelectMany(s => Enumerable.Range(0, 10).Select(_ =>
            Mailbox.StoreAsync(Batch(s, bob, bob.Devices), None))));

        var mailbox = await Mailbox.ReadAsync(bob.UserId, 1, 0, 100, Now, None);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), mailbox.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Ack_deletes_only_the_callers_envelopes_and_yields_delivered_receipts_once()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 2);
        var sent = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);
        var forDevice1 = sent.Envelopes.Single(e => e.DestinationDeviceId == 1);
        var forDevice2 = sent.Envelopes.Single(e => e.DestinationDeviceId == 2);

        var foreign = await Mailbox.AckAsync(bob.UserId, 1, [forDevice2.Id], Now, None);
        var receipts = await Mailbox.AckAsync(bob.UserId, 1, [forDevice1.Id], Now + 5, None);
        var again = await Mailbox.AckAsync(bob.UserId, 1, [forDevice1.Id], Now + 6, None);

        Assert.Empty(foreign);
        Assert.Single(await Mailbox.ReadAsync(bob.UserId, 2, 0, 10, Now, None));
        var receipt = Assert.Single(receipts);
        Assert.Equal(new Receipt(sent.Result!.MessageId, alice.UserId, bob.UserId, 1, DeliveryStatus.Delivered, Now + 5), receipt);
        Assert.Empty(again);
        Assert.Empty(await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None));
    }

    [Fact]
    public async Task Status_moves_from_sent_to_delivered_to_read_and_only_the_sender_sees_it()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 2);
        var sent = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);
        var messageId = sent.Result!.MessageId;

        await Mailbox.AckAsync(bob.UserId, 1, [sent.Envelopes.Single(e => e.DestinationDeviceId == 1).Id], Now + 1, None);
        var read = await Mailbox.MarkReadAsync(bob.UserId, 2, [messageId], Now + 2, None);
        var readAgain = await Mailbox.MarkReadAsync(bob.UserId, 2, [messageId], Now + 3, None);

        Assert.Single(read);
        Assert.Empty(readAgain);
        var status = await Mailbox.StatusAsync(messageId, alice.UserId, None);
        Assert.Equal([DeliveryStatus.Delivered, DeliveryStatus.Read], status!.OrderBy(s => s.DeviceId).Select(s => s.Status));
        Assert.Null(await Mailbox.StatusAsync(messageId, bob.UserId, None));
    }

    [Fact]
    public async Task Expired_envelopes_are_not_read_and_the_reaper_deletes_them()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 1);
        await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices, expiresAt: Now + 1000), None);
        await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);

        Assert.Equal(2, (await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None)).Count);
        Assert.Single(await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now + 1000, None));
        Assert.Equal(1, await Mailbox.DeleteExpiredAsync(Now + 1000, 0, None));
        Assert.Equal(1, await Mailbox.DeleteExpiredAsync(Now + 1000, Now + 1, None));
    }

    [Fact]
    public async Task Removing_a_device_deletes_its_mailbox()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 2);
        await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);

        await _storage.Devices.RemoveAsync(bob.UserId, 2, None);

        Assert.Empty(await Mailbox.ReadAsync(bob.UserId, 2, 0, 10, Now, None));
        Assert.Single(await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None));
    }

    [Fact]
    public async Task Sending_to_yourself_skips_the_sending_device_and_needs_sync()
    {
        var alice = await AccountAsync(devices: 3);
        var batch = Batch(alice, alice, alice.Devices.Where(d => d.DeviceId != 1).ToArray());

        var outcome = await Mailbox.StoreAsync(batch, None);

        Assert.Equal(StoreOutcomeKind.Stored, outcome.Kind);
        Assert.True(outcome.Result!.NeedsSync);
        Assert.Empty(await Mailbox.MutualContactsAsync(alice.UserId, None));
        Assert.False(await Mailbox.AreMutualContactsAsync(alice.UserId, alice.UserId, None));
    }

    [Fact]
    public async Task Unanswered_sends_make_no_contact_and_a_reply_makes_both_mutual_contacts()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 1);
        var carol = await AccountAsync(devices: 1);
        await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);
        await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);
        await Mailbox.StoreAsync(Batch(carol, alice, alice.Devices), None);

        var aliceSeesBobBefore = await Mailbox.AreMutualContactsAsync(alice.UserId, bob.UserId, None);
        var bobSeesAliceBefore = await Mailbox.AreMutualContactsAsync(bob.UserId, alice.UserId, None);
        var bobsContactsBefore = await Mailbox.MutualContactsAsync(bob.UserId, None);
        await Mailbox.StoreAsync(Batch(bob, alice, alice.Devices), None);

        Assert.False(aliceSeesBobBefore);
        Assert.False(bobSeesAliceBefore);
        Assert.Empty(bobsContactsBefore);
        Assert.True(await Mailbox.AreMutualContactsAsync(alice.UserId, bob.UserId, None));
        Assert.True(await Mailbox.AreMutualContactsAsync(bob.UserId, alice.UserId, None));
        Assert.Equal([bob.UserId], await Mailbox.MutualContactsAsync(alice.UserId, None));
        Assert.Equal([alice.UserId], await Mailbox.MutualContactsAsync(bob.UserId, None));
        // Carol wrote to alice, who never answered.
        Assert.False(await Mailbox.AreMutualContactsAsync(carol.UserId, alice.UserId, None));
        Assert.Empty(await Mailbox.MutualContactsAsync(carol.UserId, None));
    }

    [Fact]
    public async Task A_batch_answers_each_send_alone_and_stores_exactly_the_good_ones()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 2);
        var carol = await AccountAsync(devices: 1);
        var earlier = await Mailbox.StoreAsync(Batch(alice, carol, carol.Devices, key: "first"), None);
        await UseBatchesOfAsync(6);
        var stale = bob.Devices[1] with { RegistrationId = 999 };

        var outcomes = await Task.WhenAll(
            Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None),
            Mailbox.StoreAsync(Batch(alice, bob, [bob.Devices[0]]), None),
            Mailbox.StoreAsync(Batch(alice, bob, [bob.Devices[0], stale]), None),
            Mailbox.StoreAsync(Batch(alice, carol, carol.Devices, key: "first"), None),
            Mailbox.StoreAsync(Batch(alice, carol, carol.Devices, key: "second"), None),
            Mailbox.StoreAsync(Batch(alice, carol, carol.Devices, key: "second"), None));

        Assert.Equal(
            [StoreOutcomeKind.Stored, StoreOutcomeKind.DevicesChanged, StoreOutcomeKind.DevicesChanged, StoreOutcomeKind.Duplicate,
                StoreOutcomeKind.Stored, StoreOutcomeKind.Duplicate],
            outcomes.Select(o => o.Kind));
        Assert.Equal(bob.Devices, outcomes[1].CurrentDevices.OrderBy(d => d.DeviceId));
        Assert.Equal(earlier.Result, outcomes[3].Result);
        Assert.Equal(outcomes[4].Result, outcomes[5].Result);
        var bobs = await Mailbox.ReadAsync(bob.UserId, 2, 0, 10, Now, None);
        Assert.Equal([(outcomes[0].Result!.MessageId, 1L)], bobs.Select(e => (e.MessageId, e.Sequence)));
        var carols = await Mailbox.ReadAsync(carol.UserId, 1, 0, 10, Now, None);
        Assert.Equal([earlier.Result!.MessageId, outcomes[4].Result!.MessageId], carols.Select(e => e.MessageId));
        Assert.Equal([1L, 2L], carols.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Direct_send_to_a_user_without_an_account_is_refused_and_stores_nothing()
    {
        var alice = await AccountAsync(devices: 1);
        var userId = Guid.NewGuid();
        var ghost = new TestUser(userId, [new DeviceAddress(userId, 1, 101)]);

        var outcome = await Mailbox.StoreAsync(Batch(alice, ghost, ghost.Devices), None);

        Assert.Equal(StoreOutcomeKind.UserNotFound, outcome.Kind);
        Assert.Empty(await Mailbox.ReadAsync(ghost.UserId, 1, 0, 10, Now, None));
    }

    [Fact]
    public async Task Batched_sends_from_many_senders_keep_each_device_gap_free_and_each_senders_order()
    {
        var bob = await AccountAsync(devices: 2);
        var senders = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => AccountAsync(devices: 1)));
        var sentBy = senders.ToDictionary(s => s.UserId, _ => new List<Guid>());

        await Task.WhenAll(senders.Select(async sender =>
        {
            for (var i = 0; i < 15; i++)
            {
                var outcome = await Mailbox.StoreAsync(Batch(sender, bob, bob.Devices), None);
                sentBy[sender.UserId].Add(outcome.Result!.MessageId);
            }
        }));

        foreach (var device in new[] { 1, 2 })
        {
            var mailbox = await Mailbox.ReadAsync(bob.UserId, device, 0, 1000, Now, None);
            Assert.Equal(Enumerable.Range(1, 120).Select(i => (long)i), mailbox.Select(e => e.Sequence));
            foreach (var sender in senders)
            {
                Assert.Equal(sentBy[sender.UserId], mailbox.Where(e => e.SourceUserId == sender.UserId).Select(e => e.MessageId));
            }
        }
    }

    [Fact]
    public async Task Acks_batched_across_devices_delete_exactly_what_each_device_acked()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 2);
        var carol = await AccountAsync(devices: 1);
        var toBob = new List<StoreOutcome>();
        var toCarol = new List<StoreOutcome>();
        for (var i = 0; i < 3; i++)
        {
            toBob.Add(await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None));
            toCarol.Add(await Mailbox.StoreAsync(Batch(alice, carol, carol.Devices), None));
        }
        Guid Of(StoreOutcome outcome, int device) => outcome.Envelopes.Single(e => e.DestinationDeviceId == device).Id;
        await UseBatchesOfAsync(3);

        var receipts = await Task.WhenAll(
            // Bob's first device names one of carol's envelopes too: not its own, it stays.
            Mailbox.AckAsync(bob.UserId, 1, [Of(toBob[0], 1), Of(toBob[1], 1), Of(toCarol[0], 1)], Now + 1, None),
            Mailbox.AckAsync(bob.UserId, 2, [Of(toBob[2], 2)], Now + 2, None),
            Mailbox.AckAsync(carol.UserId, 1, [Of(toCarol[1], 1)], Now + 3, None));

        Assert.Equal([toBob[0].Result!.MessageId, toBob[1].Result!.MessageId], receipts[0].Select(r => r.MessageId).Order());
        Assert.All(receipts[0], r => Assert.Equal((alice.UserId, bob.UserId, 1, Now + 1), (r.SenderUserId, r.UserId, r.DeviceId, r.At)));
        Assert.Equal([(toBob[2].Result!.MessageId, 2)], receipts[1].Select(r => (r.MessageId, r.DeviceId)));
        Assert.Equal([toCarol[1].Result!.MessageId], receipts[2].Select(r => r.MessageId));
        Assert.Equal([toBob[2].Result!.MessageId],
            (await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None)).Select(e => e.MessageId));
        Assert.Equal([toBob[0].Result!.MessageId, toBob[1].Result!.MessageId],
            (await Mailbox.ReadAsync(bob.UserId, 2, 0, 10, Now, None)).Select(e => e.MessageId));
        Assert.Equal([toCarol[0].Result!.MessageId, toCarol[2].Result!.MessageId],
            (await Mailbox.ReadAsync(carol.UserId, 1, 0, 10, Now, None)).Select(e => e.MessageId));
    }

    [Fact]
    public async Task Reads_batched_across_devices_mark_exactly_what_each_device_read_once()
    {
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 2);
        var carol = await AccountAsync(devices: 1);
        var toBob = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);
        var toCarol = await Mailbox.StoreAsync(Batch(alice, carol, carol.Devices), None);
        var (bobsMessage, carolsMessage) = (toBob.Result!.MessageId, toCarol.Result!.MessageId);
        await UseBatchesOfAsync(3);

        var receipts = await Task.WhenAll(
            // Bob's first device names carol's message too: it is not one of its own, nothing changes for it.
            Mailbox.MarkReadAsync(bob.UserId, 1, [bobsMessage, carolsMessage], Now + 1, None),
            Mailbox.MarkReadAsync(bob.UserId, 1, [bobsMessage], Now + 2, None),
            Mailbox.MarkReadAsync(carol.UserId, 1, [carolsMessage], Now + 3, None));

        Assert.Equal([(bobsMessage, alice.UserId, bob.UserId, 1, DeliveryStatus.Read, Now + 1)],
            receipts[0].Select(r => (r.MessageId, r.SenderUserId, r.UserId, r.DeviceId, r.Status, r.At)));
        Assert.Empty(receipts[1]);
        Assert.Equal([(carolsMessage, carol.UserId, 1)], receipts[2].Select(r => (r.MessageId, r.UserId, r.DeviceId)));
        Assert.Equal([DeliveryStatus.Read, DeliveryStatus.Sent],
            (await Mailbox.StatusAsync(bobsMessage, alice.UserId, None))!.OrderBy(s => s.DeviceId).Select(s => s.Status));
        Assert.Equal([DeliveryStatus.Read], (await Mailbox.StatusAsync(carolsMessage, alice.UserId, None))!.Select(s => s.Status));
    }

    [Fact]
    public async Task Ack_of_an_envelope_already_read_deletes_it_and_frees_its_quota_without_a_delivered_receipt()
    {
        await UseBatchesOfAsync(1, new MailboxQuota(MaxEnvelopes: 1, MaxBytes: 1 << 20));
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 1);
        var first = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);
        await Mailbox.MarkReadAsync(bob.UserId, 1, [first.Result!.MessageId], Now + 1, None);
        Assert.Equal(StoreOutcomeKind.MailboxFull, (await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None)).Kind);

        var receipts = await Mailbox.AckAsync(bob.UserId, 1, [first.Envelopes.Single().Id], Now + 2, None);

        Assert.Empty(receipts);
        Assert.Empty(await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None));
        Assert.Equal(StoreOutcomeKind.Stored, (await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None)).Kind);
    }

    [Fact]
    public async Task Send_beyond_a_devices_envelope_quota_is_refused_stores_nothing_and_fits_again_after_an_ack()
    {
        await UseBatchesOfAsync(1, new MailboxQuota(MaxEnvelopes: 2, MaxBytes: 1 << 20));
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 2);
        var first = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);
        await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);

        var refused = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);
        await Mailbox.AckAsync(bob.UserId, 1, [first.Envelopes.Single(e => e.DestinationDeviceId == 1).Id], Now, None);
        var stillFull = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);
        await Mailbox.AckAsync(bob.UserId, 2, [first.Envelopes.Single(e => e.DestinationDeviceId == 2).Id], Now, None);
        var fits = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);

        Assert.Equal(StoreOutcomeKind.MailboxFull, refused.Kind);
        Assert.Equal(StoreOutcomeKind.MailboxFull, stillFull.Kind);
        Assert.Equal(StoreOutcomeKind.Stored, fits.Kind);
        // The refusals took no sequence and stored nothing on either device.
        Assert.All(fits.Envelopes, e => Assert.Equal(3, e.Sequence));
        Assert.Equal(2, (await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None)).Count);
        Assert.Equal(2, (await Mailbox.ReadAsync(bob.UserId, 2, 0, 10, Now, None)).Count);
    }

    [Fact]
    public async Task Send_beyond_a_devices_byte_quota_is_refused_and_the_reaper_frees_what_expired()
    {
        await UseBatchesOfAsync(1, new MailboxQuota(MaxEnvelopes: 100, MaxBytes: 40));
        var alice = await AccountAsync(devices: 1);
        var bob = await AccountAsync(devices: 1);
        await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices, expiresAt: Now + 1000), None);
        await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);

        var refused = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices, contentLength: 9), None);
        var fitsExactly = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices, contentLength: 8), None);
        var full = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices, contentLength: 1), None);
        await Mailbox.DeleteExpiredAsync(Now + 1000, 0, None);
        var afterReaper = await Mailbox.StoreAsync(Batch(alice, bob, bob.Devices), None);

        Assert.Equal(
            [StoreOutcomeKind.MailboxFull, StoreOutcomeKind.Stored, StoreOutcomeKind.MailboxFull, StoreOutcomeKind.Stored],
            new[] { refused, fitsExactly, full, afterReaper }.Select(o => o.Kind));
        Assert.Equal([16, 8, 16], (await Mailbox.ReadAsync(bob.UserId, 1, 0, 10, Now, None)).Select(e => e.Content.Length));
    }

    private Task<TestUser> AccountAsync(int devices) => TestUsers.CreateAsync(_storage, devices, Now);

    private static MailboxBatch Batch(TestUser sender, TestUser destination, IReadOnlyList<DeviceAddress> devices,
        string? key = null, long? expiresAt = null, int contentLength = 16) =>
        new(Guid.CreateVersion7(), sender.UserId, 1, key, null, Now - 10, Now, expiresAt, [destination.UserId],
            devices.Select(d => new PendingEnvelope(d, EnvelopeType.Whisper, Guid.NewGuid().ToByteArray()[..contentLength])).ToArray());
}

public sealed class SqliteMailboxStoreContractTests : MailboxStoreContractTests
{
    protected override Task<SqlStorage> CreateStorageAsync(GroupCommitOptions? groupCommit = null, MailboxQuota? quota = null) =>
        StorageFactory.SqliteAsync(Directory, groupCommit: groupCommit, quota: quota);
}

public sealed class PostgresMailboxStoreContractTests : MailboxStoreContractTests
{
    private string? _database;

    protected override async Task<SqlStorage> CreateStorageAsync(GroupCommitOptions? groupCommit = null, MailboxQuota? quota = null)
    {
        _database ??= await (await PostgresServer.Shared).CreateDatabaseAsync();
        return await StorageFactory.PostgresAsync(_database, groupCommit: groupCommit, quota: quota);
    }
}
