using E2eeChat.Domain.Messages;
using E2eeChat.Storage.Schema;
using E2eeChat.Storage.Sql;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>
/// Schema step 5 replaces the conversations of earlier releases, which held every pair both ways after one message,
/// with contacts by direction rebuilt from the messages still retained.
/// </summary>
public abstract class ContactMigrationTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private const long Now = 1_800_000_000_000;

    protected TempDirectory Directory { get; } = new("e2eechat-contacts");

    private SqlStorage _storage = null!;

    /// <summary>Storage with the schema of the release before contacts by direction.</summary>
    protected abstract Task<SqlStorage> CreateStorageAsync(int throughVersion);

    public async Task InitializeAsync() => _storage = await CreateStorageAsync(throughVersion: 4);

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        Directory.Dispose();
    }

    [Fact]
    public async Task Upgrade_makes_mutual_only_the_pairs_whose_retained_messages_went_both_ways()
    {
        var (alice, bob, carol, dave) = (await UserAsync(), await UserAsync(), await UserAsync(), await UserAsync());
        // As release 4 stored them: each direct send wrote its pair both ways; dave's messages are past retention.
        await StoredMessageAsync(alice, bob);
        await StoredMessageAsync(bob, alice);
        await StoredMessageAsync(carol, alice);
        await StoredMessageAsync(dave, alice, roomId: Guid.NewGuid());
        await ConversationAsync(alice, bob);
        await ConversationAsync(alice, carol);
        await ConversationAsync(alice, dave);

        var applied = await _storage.MigrateAsync(None);
        var aliceContacts = await _storage.Mailboxes.MutualContactsAsync(alice.UserId, None);
        var carolBeforeReply = await _storage.Mailboxes.AreMutualContactsAsync(alice.UserId, carol.UserId, None);
        await _storage.Mailboxes.StoreAsync(new MailboxBatch(Guid.CreateVersion7(), alice.UserId, 1, null, null, Now, Now, null,
            [carol.UserId], [new PendingEnvelope(carol.Devices[0], EnvelopeType.Whisper, [1])]), None);

        Assert.Equal(Migrations.All.Count - 4, applied);
        Assert.Equal([bob.UserId], aliceContacts);
        Assert.False(carolBeforeReply);
        Assert.False(await _storage.Mailboxes.AreMutualContactsAsync(alice.UserId, dave.UserId, None));
        // Carol's message was kept as hers: alice's reply is all it takes.
        Assert.True(await _storage.Mailboxes.AreMutualContactsAsync(alice.UserId, carol.UserId, None));
    }

    /// <summary>An account and its primary device as release 4 stored them (today's store writes columns it lacked).</summary>
    private async Task<TestUser> UserAsync()
    {
        var userId = Guid.NewGuid();
        await ExecuteAsync("""
            INSERT INTO accounts (user_id, username, identity_key, password_hash, created_at) VALUES (@user, @name, @key, 'hash', @at);
            INSERT INTO devices (user_id, device_id, name, registration_id, created_at, last_seen_at) VALUES (@user, 1, 'd1', 101, @at, @at);
            """, ("user", userId), ("name", $"u{userId:N}"[..20]), ("key", new byte[33]), ("at", Now));
        return new TestUser(userId, [new DeviceAddress(userId, 1, 101)]);
    }

    private Task StoredMessageAsync(TestUser sender, TestUser recipient, Guid? roomId = null) => ExecuteAsync("""
        INSERT INTO messages (message_id, sender_user, sender_device, idempotency_key, room_id, server_timestamp, needs_sync)
        VALUES (@message, @sender, 1, NULL, @room, @at, @sync);
        INSERT INTO message_recipients (message_id, user_id, device_id, sender_user, status, updated_at)
        VALUES (@message, @recipient, 1, @sender, 0, @at);
        """, ("message", Guid.NewGuid()), ("sender", sender.UserId), ("recipient", recipient.UserId), ("room", roomId), ("at", Now),
        ("sync", false));

    private Task ConversationAsync(TestUser one, TestUser other) => ExecuteAsync(
        "INSERT INTO conversations (user_id, peer_id) VALUES (@one, @other), (@other, @one)", ("one", one.UserId), ("other", other.UserId));

    private async Task ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await _storage.Dialect.OpenAsync(None);
        await using var transaction = await _storage.Dialect.BeginWriteAsync(connection, None);
        await using var command = connection.Command(sql, transaction);
        foreach (var (name, value) in parameters)
        {
            command.With(name, value);
        }
        await command.ExecuteNonQueryAsync(None);
        await transaction.CommitAsync(None);
    }
}

public sealed class SqliteContactMigrationTests : ContactMigrationTests
{
    protected override Task<SqlStorage> CreateStorageAsync(int throughVersion) => StorageFactory.SqliteAsync(Directory, throughVersion);
}

public sealed class PostgresContactMigrationTests : ContactMigrationTests
{
    protected override Task<SqlStorage> CreateStorageAsync(int throughVersion) => StorageFactory.PostgresAsync(throughVersion: throughVersion);
}
