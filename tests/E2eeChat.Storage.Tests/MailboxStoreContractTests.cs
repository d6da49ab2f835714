using E2eeChat.Domain.Messages;
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

    protected abstract Task<SqlStorage> CreateStorageAsync();

    public async Task InitializeAsync() => _storage = await CreateStorageAsync();

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

    private Task<TestUser> AccountAsync(int devices) => TestUsers.CreateAsync(_storage, devices, Now);

    private static MailboxBatch Batch(TestUser sender, TestUser destination, IReadOnlyList<DeviceAddress> devices,
        string? key = null, long? expiresAt = null) =>
        new(Guid.CreateVersion7(), sender.UserId, 1, key, null, Now - 10, Now, expiresAt, [destination.UserId],
            devices.Select(d => new PendingEnvelope(d, EnvelopeType.Whisper, Guid.NewGuid().ToByteArray())).ToArray());
}

public sealed class SqliteMailboxStoreContractTests : MailboxStoreContractTests
{
    protected override Task<SqlStorage> CreateStorageAsync() => StorageFactory.SqliteAsync(Directory);
}

public sealed class PostgresMailboxStoreContractTests : MailboxStoreContractTests
{
    protected override Task<SqlStorage> CreateStorageAsync() => StorageFactory.PostgresAsync();
}
