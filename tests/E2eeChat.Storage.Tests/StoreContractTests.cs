using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Devices;
using E2eeChat.Domain.Sessions;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>The behaviour every store must have, whatever engine is behind it.</summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    protected TempDirectory Directory { get; } = new("e2eechat-store");

    protected SqlStorage Storage { get; private set; } = null!;

    protected abstract Task<SqlStorage> CreateStorageAsync();

    /// <summary>Another process's write transaction, holding what a writer of <paramref name="table"/> would wait for.</summary>
    protected abstract Task<IAsyncDisposable> HoldWriteLockAsync(string table);

    public async Task InitializeAsync() => Storage = await CreateStorageAsync();

    public async Task DisposeAsync()
    {
        await Storage.DisposeAsync();
        Directory.Dispose();
    }

    [Fact]
    public async Task Migrating_again_applies_nothing()
    {
        Assert.Equal(0, await Storage.MigrateAsync(None));
    }

    [Fact]
    public async Task Created_account_is_found_by_id_and_username_with_its_primary_device()
    {
        var (account, _) = await CreateAccountAsync("carol");

        var byName = await Storage.Accounts.FindByUsernameAsync("carol", None);
        var byId = await Storage.Accounts.FindByIdAsync(account.UserId, None);
        var devices = await Storage.Devices.ListAsync(account.UserId, None);

        Assert.Equal(account.UserId, byName!.UserId);
        Assert.Equal(account.IdentityKey, byId!.IdentityKey);
        Assert.Equal(Now, byId.CreatedAt);
        var primary = Assert.Single(devices);
        Assert.Equal(1, primary.DeviceId);
        Assert.Equal(77, primary.RegistrationId);
    }

    [Fact]
    public async Task Taken_username_is_refused_and_writes_nothing()
    {
        await CreateAccountAsync("dave");
        var second = NewAccount("dave");

        var created = await Storage.Accounts.TryCreateAsync(second, PrimaryOf(second), None);

        Assert.False(created);
        Assert.Null(await Storage.Accounts.FindByIdAsync(second.UserId, None));
        Assert.Empty(await Storage.Devices.ListAsync(second.UserId, None));
    }

    [Fact]
    public async Task Password_hash_can_be_replaced()
    {
        var (account, _) = await CreateAccountAsync("erin");
        await Storage.Accounts.UpdatePasswordHashAsync(account.UserId, "new-hash", None);
        Assert.Equal("new-hash", (await Storage.Accounts.FindByIdAsync(account.UserId, None))!.PasswordHash);
    }

    [Fact]
    public async Task Concurrent_device_adds_never_exceed_the_cap()
    {
        var (account, _) = await CreateAccountAsync("frank");

        var adds = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            Storage.Devices.TryAddAsync(account.UserId, $"d{i}", 100 + i, Now, maxDevices: 6, None)));

        Assert.Equal(5, adds.Count(d => d is not null));
        var ids = (await Storage.Devices.ListAsync(account.UserId, None)).Select(d => d.DeviceId).ToArray();
        Assert.Equal([1, 2, 3, 4, 5, 6], ids);
    }

    [Fact]
    public async Task Removed_device_id_is_reused_and_its_sessions_are_gone()
    {
        var (account, _) = await CreateAccountAsync("gina");
        var second = await Storage.Devices.TryAddAsync(account.UserId, "tablet", 5, Now, 6, None);
        var third = await Storage.Devices.TryAddAsync(account.UserId, "laptop", 6, Now, 6, None);
        var session = new Session(Guid.NewGuid(), account.UserId, second!.DeviceId, Now, Now.AddDays(1));
        await Storage.Sessions.CreateAsync(session, [1, 2, 3], None);

        Assert.True(await Storage.Devices.RemoveAsync(account.UserId, second.DeviceId, None));
        Assert.False(await Storage.Devices.RemoveAsync(account.UserId, second.DeviceId, None));
        Assert.False(await Storage.Sessions.IsActiveAsync(session.SessionId, Now, None));

        var again = await Storage.Devices.TryAddAsync(account.UserId, "watch", 7, Now, 6, None);
        Assert.Equal(2, again!.DeviceId);
        Assert.Equal(3, third!.DeviceId);
    }

    [Fact]
    public async Task Device_add_for_unknown_account_returns_null()
    {
        Assert.Null(await Storage.Devices.TryAddAsync(Guid.NewGuid(), "x", 1, Now, 6, None));
    }

    [Fact]
    public async Task Touch_moves_last_seen_forward_only()
    {
        var (account, _) = await CreateAccountAsync("hank");
        await Storage.Devices.TouchAsync(account.UserId, 1, Now.AddMinutes(5), None);
        await Storage.Devices.TouchAsync(account.UserId, 1, Now.AddMinutes(1), None);
        Assert.Equal(Now.AddMinutes(5), (await Storage.Devices.FindAsync(account.UserId, 1, None))!.LastSeenAt);
    }

    [Fact]
    public async Task Refresh_token_rotates_once_then_reports_reuse()
    {
        var (account, _) = await CreateAccountAsync("ivan");
        var session = new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddDays(30));
        await Storage.Sessions.CreateAsync(session, [1], None);

        var first = await Storage.Sessions.RotateAsync([1], [2], Now.AddMinutes(1), Now.AddDays(31), Now.AddMinutes(1), None);
        var replay = await Storage.Sessions.RotateAsync([1], [2], Now.AddMinutes(2), Now.AddDays(31), Now.AddMinutes(2), None);
        var next = await Storage.Sessions.RotateAsync([2], [4], Now.AddMinutes(3), Now.AddDays(32), Now.AddMinutes(3), None);
        var unknown = await Storage.Sessions.RotateAsync([9], [5], Now.AddMinutes(3), Now.AddDays(32), Now.AddMinutes(3), None);

        Assert.Equal(RefreshOutcomeKind.Rotated, first.Kind);
        Assert.Equal(session.SessionId, first.Session!.SessionId);
        Assert.Equal(Now.AddDays(31), first.Session.ExpiresAt);
        Assert.Equal(RefreshOutcomeKind.Reused, replay.Kind);
        Assert.Equal(session.SessionId, replay.Session!.SessionId);
        Assert.Equal(RefreshOutcomeKind.Rotated, next.Kind);
        Assert.Equal(RefreshOutcomeKind.Unknown, unknown.Kind);
    }

    [Fact]
    public async Task Concurrent_rotations_of_one_token_to_different_successors_succeed_once()
    {
        var (account, _) = await CreateAccountAsync("jill");
        await Storage.Sessions.CreateAsync(new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddDays(30)), [7], None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Storage.Sessions.RotateAsync([7], [(byte)(100 + i)], Now, Now.AddDays(30), Now.AddSeconds(-30), None)));

        Assert.Equal(1, outcomes.Count(o => o.Kind == RefreshOutcomeKind.Rotated));
        Assert.Equal(7, outcomes.Count(o => o.Kind == RefreshOutcomeKind.Reused));
    }

    [Fact]
    public async Task Concurrent_rotations_of_one_token_to_its_successor_rotate_once_and_retry_the_rest()
    {
        var (account, _) = await CreateAccountAsync("jim");
        var session = new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddDays(30));
        await Storage.Sessions.CreateAsync(session, [8], None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Storage.Sessions.RotateAsync([8], [80], Now, Now.AddDays(30), Now.AddSeconds(-30), None)));

        Assert.Equal(1, outcomes.Count(o => o.Kind == RefreshOutcomeKind.Rotated));
        Assert.Equal(7, outcomes.Count(o => o.Kind == RefreshOutcomeKind.Retried));
        Assert.All(outcomes, o => Assert.Equal(session.SessionId, o.Session!.SessionId));
    }

    [Fact]
    public async Task A_used_token_is_retried_within_the_grace_window_and_reused_after_it()
    {
        var (account, _) = await CreateAccountAsync("joan");
        var session = new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddDays(30));
        await Storage.Sessions.CreateAsync(session, [1], None);
        var grace = TimeSpan.FromSeconds(30);
        await Storage.Sessions.RotateAsync([1], [2], Now, Now.AddDays(30), Now - grace, None);

        var within = await Storage.Sessions.RotateAsync([1], [2], Now.AddSeconds(30), Now.AddDays(30), Now.AddSeconds(30) - grace, None);
        var otherSuccessor = await Storage.Sessions.RotateAsync([1], [3], Now.AddSeconds(10), Now.AddDays(30), Now.AddSeconds(10) - grace, None);
        var after = await Storage.Sessions.RotateAsync([1], [2], Now.AddSeconds(31), Now.AddDays(30), Now.AddSeconds(31) - grace, None);

        Assert.Equal(RefreshOutcomeKind.Retried, within.Kind);
        Assert.Equal(session.SessionId, within.Session!.SessionId);
        Assert.Equal(RefreshOutcomeKind.Reused, otherSuccessor.Kind);
        Assert.Equal(RefreshOutcomeKind.Reused, after.Kind);
    }

    [Fact]
    public async Task A_used_token_of_a_revoked_session_is_not_retried()
    {
        var (account, _) = await CreateAccountAsync("josh");
        var session = new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddDays(30));
        await Storage.Sessions.CreateAsync(session, [1], None);
        await Storage.Sessions.RotateAsync([1], [2], Now, Now.AddDays(30), Now, None);
        await Storage.Sessions.RevokeAsync(session.SessionId, Now, None);

        var retry = await Storage.Sessions.RotateAsync([1], [2], Now.AddSeconds(1), Now.AddDays(30), Now.AddSeconds(-29), None);

        Assert.Equal(RefreshOutcomeKind.Reused, retry.Kind);
    }

    /// <summary>Refresh is anonymous: a guessed token must cost a read, not a place in the writers' queue.</summary>
    [Fact]
    public async Task An_unknown_refresh_token_is_answered_while_another_writer_holds_the_database()
    {
        await using var writer = await HoldWriteLockAsync("refresh_tokens");

        var unknown = await Storage.Sessions.RotateAsync([42, 42], [43], Now, Now.AddDays(1), Now, None)
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RefreshOutcomeKind.Unknown, unknown.Kind);
    }

    [Fact]
    public async Task Revoked_sessions_are_inactive_and_cannot_refresh()
    {
        var (account, _) = await CreateAccountAsync("kate");
        var a = new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddDays(30));
        var b = new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddDays(30));
        await Storage.Sessions.CreateAsync(a, [1], None);
        await Storage.Sessions.CreateAsync(b, [2], None);

        await Storage.Sessions.RevokeAsync(a.SessionId, Now, None);
        Assert.False(await Storage.Sessions.IsActiveAsync(a.SessionId, Now, None));
        Assert.True(await Storage.Sessions.IsActiveAsync(b.SessionId, Now, None));
        Assert.Equal(RefreshOutcomeKind.Unknown, (await Storage.Sessions.RotateAsync([1], [3], Now, Now.AddDays(1), Now, None)).Kind);

        Assert.Equal(1, await Storage.Sessions.RevokeDeviceAsync(account.UserId, 1, Now, None));
        Assert.False(await Storage.Sessions.IsActiveAsync(b.SessionId, Now, None));
    }

    [Fact]
    public async Task Expired_session_is_inactive()
    {
        var (account, _) = await CreateAccountAsync("liam");
        var session = new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddMinutes(1));
        await Storage.Sessions.CreateAsync(session, [1], None);
        Assert.True(await Storage.Sessions.IsActiveAsync(session.SessionId, Now, None));
        Assert.False(await Storage.Sessions.IsActiveAsync(session.SessionId, Now.AddMinutes(2), None));
    }

    [Fact]
    public async Task ActiveAmong_names_exactly_the_live_sessions_of_those_asked_about()
    {
        var (account, _) = await CreateAccountAsync("mila");
        var live = new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddDays(30));
        var revoked = new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddDays(30));
        var expired = new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddMinutes(1));
        var notAsked = new Session(Guid.NewGuid(), account.UserId, 1, Now, Now.AddDays(30));
        foreach (var (session, hash) in new[] { (live, (byte)1), (revoked, (byte)2), (expired, (byte)3), (notAsked, (byte)4) })
        {
            await Storage.Sessions.CreateAsync(session, [hash], None);
        }
        await Storage.Sessions.RevokeAsync(revoked.SessionId, Now, None);

        var active = await Storage.Sessions.ActiveAmongAsync(
            [live.SessionId, revoked.SessionId, expired.SessionId, Guid.NewGuid()], Now.AddMinutes(2), None);

        Assert.Equal([live.SessionId], active);
        Assert.Empty(await Storage.Sessions.ActiveAmongAsync([], Now, None));
    }

    [Fact]
    public async Task Link_code_is_consumed_once_and_not_after_expiry()
    {
        var (account, _) = await CreateAccountAsync("mona");
        await Storage.LinkCodes.AddAsync([1, 1], account.UserId, Now.AddMinutes(10), None);
        await Storage.LinkCodes.AddAsync([2, 2], account.UserId, Now.AddMinutes(10), None);

        var consumed = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Storage.LinkCodes.ConsumeAsync([1, 1], Now, None)));
        Assert.Equal(1, consumed.Count(c => c == account.UserId));
        Assert.Null(await Storage.LinkCodes.ConsumeAsync([2, 2], Now.AddMinutes(11), None));
        Assert.Null(await Storage.LinkCodes.ConsumeAsync([2, 2], Now, None));
    }

    /// <summary>Linking by code is anonymous too: a guessed code must cost a read, not a place in the writers' queue.</summary>
    [Fact]
    public async Task An_unknown_link_code_is_answered_while_another_writer_holds_the_database()
    {
        await using var writer = await HoldWriteLockAsync("link_codes");

        var consumed = await Storage.LinkCodes.ConsumeAsync([4, 2], Now, None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(consumed);
    }

    private async Task<(Account Account, Device Primary)> CreateAccountAsync(string username)
    {
        var account = NewAccount(username);
        var primary = PrimaryOf(account);
        Assert.True(await Storage.Accounts.TryCreateAsync(account, primary, None));
        return (account, primary);
    }

    private static Account NewAccount(string username) =>
        new(Guid.NewGuid(), username, Enumerable.Range(0, 33).Select(i => (byte)i).ToArray(), "hash", Now);

    private static Device PrimaryOf(Account account) => new(account.UserId, 1, "phone", 77, Now, Now);
}

public sealed class SqliteStoreContractTests : StoreContractTests
{
    protected override Task<SqlStorage> CreateStorageAsync() => StorageFactory.SqliteAsync(Directory);

    protected override async Task<IAsyncDisposable> HoldWriteLockAsync(string table)
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Directory.Path, "test.db")}");
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        await begin.ExecuteNonQueryAsync();
        return connection;
    }
}

public sealed class PostgresStoreContractTests : StoreContractTests
{
    private string _connectionString = null!;

    protected override async Task<SqlStorage> CreateStorageAsync()
    {
        _connectionString = await (await E2eeChat.Testing.Postgres.PostgresServer.Shared).CreateDatabaseAsync();
        return await StorageFactory.PostgresAsync(_connectionString);
    }

    protected override async Task<IAsyncDisposable> HoldWriteLockAsync(string table)
    {
        var connection = new Npgsql.NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = $"BEGIN; LOCK TABLE {table} IN EXCLUSIVE MODE";
        await begin.ExecuteNonQueryAsync();
        return connection;
    }

    [Fact]
    public async Task Instances_starting_together_migrate_once()
    {
        var connectionString = await (await E2eeChat.Testing.Postgres.PostgresServer.Shared).CreateDatabaseAsync();
        var storages = Enumerable.Range(0, 4)
            .Select(_ => SqlStorage.Create(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = connectionString }))
            .ToArray();

        var applied = await Task.WhenAll(storages.Select(s => s.MigrateAsync(CancellationToken.None)));

        Assert.Equal(1, applied.Count(count => count > 0));
        foreach (var storage in storages)
        {
            await storage.DisposeAsync();
        }
    }
}
