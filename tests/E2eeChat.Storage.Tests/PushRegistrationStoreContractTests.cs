using E2eeChat.Domain.Push;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>What every push registration store must do: one registration per device, gone with it, and one wake-up per claim.</summary>
public abstract class PushRegistrationStoreContractTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    protected TempDirectory Directory { get; } = new("e2eechat-push");

    private SqlStorage _storage = null!;

    private IPushRegistrationStore Store => _storage.PushRegistrations;

    protected abstract Task<SqlStorage> CreateStorageAsync();

    public async Task InitializeAsync() => _storage = await CreateStorageAsync();

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        Directory.Dispose();
    }

    [Fact]
    public async Task Registrations_read_back_field_for_field_and_a_second_one_replaces_the_first()
    {
        var user = await TestUsers.CreateAsync(_storage, 2, Now.ToUnixTimeMilliseconds());
        var webPush = WebPush(user.UserId, 1, "https://push.example/one");
        var gateway = new PushRegistration(user.UserId, 2, PushKind.Gateway, "https://gateway.example/_matrix/push/v1/notify",
            null, null, "chat.e2ee.ios", "apns-token");

        await Store.SetAsync(webPush, Now, None);
        await Store.SetAsync(gateway, Now, None);
        var replacement = WebPush(user.UserId, 1, "https://push.example/two");
        await Store.SetAsync(replacement, Now, None);

        AssertSame(replacement, await Store.FindAsync(user.UserId, 1, None));
        AssertSame(gateway, await Store.FindAsync(user.UserId, 2, None));
    }

    [Fact]
    public async Task Wake_up_is_claimed_once_until_cleared_and_a_new_registration_starts_unclaimed()
    {
        var user = await TestUsers.CreateAsync(_storage, 1, Now.ToUnixTimeMilliseconds());
        var registration = WebPush(user.UserId, 1, "https://push.example/one");
        Assert.Null(await Store.ClaimWakeUpAsync(user.UserId, 1, None));
        await Store.SetAsync(registration, Now, None);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Store.ClaimWakeUpAsync(user.UserId, 1, None)));

        AssertSame(registration, Assert.Single(claims, c => c is not null));
        await Store.ClearWakeUpAsync(user.UserId, 1, None);
        Assert.NotNull(await Store.ClaimWakeUpAsync(user.UserId, 1, None));
        await Store.SetAsync(WebPush(user.UserId, 1, "https://push.example/two"), Now, None);
        Assert.NotNull(await Store.ClaimWakeUpAsync(user.UserId, 1, None));
    }

    [Fact]
    public async Task Removal_after_a_push_service_refusal_spares_a_newer_registration()
    {
        var user = await TestUsers.CreateAsync(_storage, 1, Now.ToUnixTimeMilliseconds());
        var old = WebPush(user.UserId, 1, "https://push.example/old");
        await Store.SetAsync(old, Now, None);
        await Store.SetAsync(WebPush(user.UserId, 1, "https://push.example/new"), Now, None);

        Assert.False(await Store.RemoveIfUnchangedAsync(old, None));
        Assert.NotNull(await Store.FindAsync(user.UserId, 1, None));
        Assert.True(await Store.RemoveIfUnchangedAsync(WebPush(user.UserId, 1, "https://push.example/new"), None));
        Assert.Null(await Store.FindAsync(user.UserId, 1, None));
        Assert.False(await Store.RemoveAsync(user.UserId, 1, None));
    }

    [Fact]
    public async Task Removing_the_device_removes_its_registration()
    {
        var user = await TestUsers.CreateAsync(_storage, 2, Now.ToUnixTimeMilliseconds());
        await Store.SetAsync(WebPush(user.UserId, 2, "https://push.example/two"), Now, None);

        Assert.True(await _storage.Devices.RemoveAsync(user.UserId, 2, None));

        Assert.Null(await Store.FindAsync(user.UserId, 2, None));
        Assert.Null(await Store.ClaimWakeUpAsync(user.UserId, 2, None));
    }

    private static PushRegistration WebPush(Guid userId, int deviceId, string endpoint)
    {
        var p256dh = new byte[65];
        p256dh[0] = 4;
        p256dh[64] = (byte)deviceId;
        return new PushRegistration(userId, deviceId, PushKind.WebPush, endpoint, p256dh, Enumerable.Repeat((byte)7, 16).ToArray(),
            null, null);
    }

    private static void AssertSame(PushRegistration expected, PushRegistration? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { P256dh = null, Auth = null }, actual with { P256dh = null, Auth = null });
        Assert.Equal(expected.P256dh, actual.P256dh);
        Assert.Equal(expected.Auth, actual.Auth);
    }
}

public sealed class SqlitePushRegistrationStoreTests : PushRegistrationStoreContractTests
{
    protected override Task<SqlStorage> CreateStorageAsync() => StorageFactory.SqliteAsync(Directory);
}

public sealed class PostgresPushRegistrationStoreTests : PushRegistrationStoreContractTests
{
    protected override Task<SqlStorage> CreateStorageAsync() => StorageFactory.PostgresAsync();
}
