using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Devices;
using E2eeChat.Domain.Keys;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>Prekey behaviour every store must have: replacement by kind, claims that hand out each key once.</summary>
public abstract class PrekeyStoreContractTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    protected TempDirectory Directory { get; } = new("e2eechat-prekeys");

    private SqlStorage _storage = null!;
    private IPrekeyStore Prekeys => _storage.Prekeys;

    protected abstract Task<SqlStorage> CreateStorageAsync();

    public async Task InitializeAsync() => _storage = await CreateStorageAsync();

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        Directory.Dispose();
    }

    [Fact]
    public async Task Claim_returns_the_signed_keys_and_takes_one_one_time_key_of_each_kind()
    {
        var user = await AccountAsync();
        await UploadAsync(user, 1, Full(ecIds: [5, 6], kyberIds: [7, 8]));

        var bundle = Assert.Single((await Prekeys.ClaimAsync(user, 1, None))!);

        Assert.Equal(1, bundle.DeviceId);
        Assert.Equal(77, bundle.RegistrationId);
        AssertKey(Signed(1, TestKey.SignedEc), bundle.SignedPreKey);
        AssertKey(Ec(5), bundle.PreKey!);
        AssertKey(Kyber(7), bundle.PqPreKey);
        Assert.Null(bundle.PreKey!.Signature);
        Assert.Equal(new PrekeyCounts(1, 1), await Prekeys.CountAsync(user, 1, None));
    }

    [Fact]
    public async Task Claims_hand_out_each_key_once_then_null_and_the_last_resort_key()
    {
        var user = await AccountAsync();
        await UploadAsync(user, 1, Full(ecIds: [1, 2], kyberIds: [3]));

        var claims = new List<DeviceBundle>();
        for (var i = 0; i < 3; i++)
        {
            claims.Add(Assert.Single((await Prekeys.ClaimAsync(user, 1, None))!));
        }

        Assert.Equal([1, 2], [claims[0].PreKey!.KeyId, claims[1].PreKey!.KeyId]);
        Assert.Null(claims[2].PreKey);
        AssertKey(Kyber(3), claims[0].PqPreKey);
        AssertKey(Signed(2, TestKey.LastResortKyber), claims[1].PqPreKey);
        AssertKey(Signed(2, TestKey.LastResortKyber), claims[2].PqPreKey);
        Assert.Equal(new PrekeyCounts(0, 0), await Prekeys.CountAsync(user, 1, None));
    }

    [Fact]
    public async Task Concurrent_claims_hand_out_every_one_time_key_exactly_once()
    {
        var user = await AccountAsync();
        var ids = Enumerable.Range(100, 20).ToArray();
        await UploadAsync(user, 1, Full(ecIds: ids, kyberIds: ids));

        var claims = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => Task.Run(() => Prekeys.ClaimAsync(user, 1, None))));

        var bundles = claims.Select(c => Assert.Single(c!)).ToArray();
        var ecKeys = bundles.Where(b => b.PreKey is not null).Select(b => b.PreKey!.KeyId).ToArray();
        Assert.Equal(20, ecKeys.Length);
        Assert.Equal(ids, ecKeys.Order());
        Assert.Equal(40, bundles.Count(b => b.PreKey is null));
        var lastResort = Signed(2, TestKey.LastResortKyber);
        var oneTimeKyber = bundles.Where(b => !b.PqPreKey.PublicKey.SequenceEqual(lastResort.PublicKey)).ToArray();
        Assert.Equal(ids, oneTimeKyber.Select(b => b.PqPreKey.KeyId).Order());
        Assert.All(oneTimeKyber, b => AssertKey(Kyber(b.PqPreKey.KeyId), b.PqPreKey));
        Assert.Equal(40, bundles.Count(b => b.PqPreKey.KeyId == lastResort.KeyId));
        Assert.Equal(new PrekeyCounts(0, 0), await Prekeys.CountAsync(user, 1, None));
    }

    [Fact]
    public async Task Upload_replaces_the_kinds_it_names_and_leaves_the_others()
    {
        var user = await AccountAsync();
        await UploadAsync(user, 1, Full(ecIds: [1, 2, 3], kyberIds: [4, 5, 6]));

        await UploadAsync(user, 1, new PrekeyUpload(null, null, [Ec(50), Ec(51)], null));
        var afterEc = Assert.Single((await Prekeys.ClaimAsync(user, 1, None))!);
        await UploadAsync(user, 1, new PrekeyUpload(Signed(9, TestKey.SignedEc), null, null, null));
        var afterSigned = Assert.Single((await Prekeys.ClaimAsync(user, 1, None))!);

        AssertKey(Signed(1, TestKey.SignedEc), afterEc.SignedPreKey);
        AssertKey(Ec(50), afterEc.PreKey!);
        AssertKey(Kyber(4), afterEc.PqPreKey);
        AssertKey(Signed(9, TestKey.SignedEc), afterSigned.SignedPreKey);
        AssertKey(Ec(51), afterSigned.PreKey!);
        AssertKey(Kyber(5), afterSigned.PqPreKey);
        Assert.Equal(new PrekeyCounts(0, 1), await Prekeys.CountAsync(user, 1, None));
    }

    [Fact]
    public async Task Last_resort_key_is_replaced_without_touching_one_time_kyber_keys()
    {
        var user = await AccountAsync();
        await UploadAsync(user, 1, Full(ecIds: [], kyberIds: [4]));

        await UploadAsync(user, 1, new PrekeyUpload(null, Signed(30, TestKey.LastResortKyber), null, null));
        var first = Assert.Single((await Prekeys.ClaimAsync(user, 1, None))!);
        var second = Assert.Single((await Prekeys.ClaimAsync(user, 1, None))!);

        AssertKey(Kyber(4), first.PqPreKey);
        AssertKey(Signed(30, TestKey.LastResortKyber), second.PqPreKey);
    }

    [Fact]
    public async Task Empty_list_clears_its_kind()
    {
        var user = await AccountAsync();
        await UploadAsync(user, 1, Full(ecIds: [1, 2], kyberIds: [3, 4]));

        await UploadAsync(user, 1, new PrekeyUpload(null, null, [], null));

        Assert.Equal(new PrekeyCounts(0, 2), await Prekeys.CountAsync(user, 1, None));
    }

    [Fact]
    public async Task Concurrent_uploads_of_one_device_replace_whole_lists_and_never_mix_them()
    {
        var user = await AccountAsync();
        var uploads = Enumerable.Range(0, 6)
            .Select(u => new PrekeyUpload(null, null, Enumerable.Range(u * 1000, 50).Select(Ec).ToArray(), null))
            .ToArray();

        await Task.WhenAll(uploads.Select(upload => Task.Run(() => Prekeys.StoreAsync(user, 1, upload, None))));

        Assert.Equal(new PrekeyCounts(50, 0), await Prekeys.CountAsync(user, 1, None));
        await UploadAsync(user, 1, new PrekeyUpload(Signed(1, TestKey.SignedEc), Signed(2, TestKey.LastResortKyber), null, null));
        var claimed = new List<int>();
        for (var i = 0; i < 50; i++)
        {
            claimed.Add(Assert.Single((await Prekeys.ClaimAsync(user, 1, None))!).PreKey!.KeyId);
        }
        Assert.Single(claimed.Select(id => id / 1000).Distinct());
    }

    [Fact]
    public async Task Claim_of_every_device_leaves_out_devices_without_both_signed_keys_and_spares_their_keys()
    {
        var user = await AccountAsync();
        var tablet = await _storage.Devices.TryAddAsync(user, "tablet", 88, Now, 6, None);
        var laptop = await _storage.Devices.TryAddAsync(user, "laptop", 99, Now, 6, None);
        await UploadAsync(user, 1, Full(ecIds: [1], kyberIds: [2]));
        await UploadAsync(user, tablet!.DeviceId, new PrekeyUpload(Signed(1, TestKey.SignedEc), null, [Ec(1)], [Kyber(2)]));
        await UploadAsync(user, laptop!.DeviceId, Full(ecIds: [], kyberIds: []));

        var bundles = (await Prekeys.ClaimAsync(user, null, None))!;

        Assert.Equal([1, laptop.DeviceId], bundles.Select(b => b.DeviceId));
        Assert.Equal(99, bundles[1].RegistrationId);
        Assert.Null(bundles[1].PreKey);
        AssertKey(Signed(2, TestKey.LastResortKyber), bundles[1].PqPreKey);
        Assert.Equal(new PrekeyCounts(0, 0), await Prekeys.CountAsync(user, 1, None));
        Assert.Equal(new PrekeyCounts(1, 1), await Prekeys.CountAsync(user, tablet.DeviceId, None));
        Assert.Empty((await Prekeys.ClaimAsync(user, tablet.DeviceId, None))!);
    }

    [Fact]
    public async Task Claim_of_a_missing_device_returns_null_and_of_a_keyless_device_nothing()
    {
        var user = await AccountAsync();

        Assert.Null(await Prekeys.ClaimAsync(user, 2, None));
        Assert.Null(await Prekeys.ClaimAsync(Guid.NewGuid(), null, None));
        Assert.Empty((await Prekeys.ClaimAsync(user, 1, None))!);
        Assert.Empty((await Prekeys.ClaimAsync(user, null, None))!);
    }

    [Fact]
    public async Task Upload_for_a_missing_device_stores_nothing()
    {
        var user = await AccountAsync();

        Assert.False(await Prekeys.StoreAsync(user, 3, Full(ecIds: [1], kyberIds: [1]), None));

        Assert.Equal(new PrekeyCounts(0, 0), await Prekeys.CountAsync(user, 3, None));
    }

    [Fact]
    public async Task Repeated_use_keys_are_read_per_device_without_claiming_anything()
    {
        var user = await AccountAsync();
        var tablet = await _storage.Devices.TryAddAsync(user, "tablet", 88, Now, 6, None);
        var before = await Prekeys.GetRepeatedUseKeysAsync(user, 1, None);
        await UploadAsync(user, 1, Full(ecIds: [1], kyberIds: [2]));
        await UploadAsync(user, tablet!.DeviceId, new PrekeyUpload(Signed(7, TestKey.SignedEc), null, null, null));

        var phone = await Prekeys.GetRepeatedUseKeysAsync(user, 1, None);
        var tabletKeys = await Prekeys.GetRepeatedUseKeysAsync(user, tablet.DeviceId, None);

        Assert.Equal(new RepeatedUseKeys(null, null), before);
        AssertKey(Signed(1, TestKey.SignedEc), phone.SignedPreKey!);
        AssertKey(Signed(2, TestKey.LastResortKyber), phone.PqLastResortPreKey!);
        AssertKey(Signed(7, TestKey.SignedEc), tabletKeys.SignedPreKey!);
        Assert.Null(tabletKeys.PqLastResortPreKey);
        Assert.Equal(new PrekeyCounts(1, 1), await Prekeys.CountAsync(user, 1, None));
    }

    [Fact]
    public async Task Removing_a_device_deletes_its_keys()
    {
        var user = await AccountAsync();
        var tablet = await _storage.Devices.TryAddAsync(user, "tablet", 88, Now, 6, None);
        await UploadAsync(user, tablet!.DeviceId, Full(ecIds: [1, 2], kyberIds: [3, 4]));

        Assert.True(await _storage.Devices.RemoveAsync(user, tablet.DeviceId, None));
        // The next device gets the freed id; nothing of the old one may come back with it.
        var watch = await _storage.Devices.TryAddAsync(user, "watch", 89, Now, 6, None);

        Assert.Equal(tablet.DeviceId, watch!.DeviceId);
        Assert.Equal(new PrekeyCounts(0, 0), await Prekeys.CountAsync(user, watch.DeviceId, None));
        Assert.Empty((await Prekeys.ClaimAsync(user, watch.DeviceId, None))!);
    }

    private async Task<Guid> AccountAsync()
    {
        var userId = Guid.NewGuid();
        var account = new Account(userId, $"u{userId:N}"[..20], new byte[33], "hash", Now);
        Assert.True(await _storage.Accounts.TryCreateAsync(account, new Device(userId, 1, "phone", 77, Now, Now), None));
        return userId;
    }

    private async Task UploadAsync(Guid userId, int deviceId, PrekeyUpload upload) =>
        Assert.True(await Prekeys.StoreAsync(userId, deviceId, upload, None));

    /// <summary>Signed EC prekey 1, last-resort Kyber prekey 2 and the given one-time keys.</summary>
    private static PrekeyUpload Full(int[] ecIds, int[] kyberIds) => new(
        Signed(1, TestKey.SignedEc), Signed(2, TestKey.LastResortKyber),
        ecIds.Select(Ec).ToArray(), kyberIds.Select(Kyber).ToArray());

    private static Prekey Ec(int keyId) => new(keyId, TestKey.Bytes(TestKey.OneTimeEc, keyId, 33), null);

    private static Prekey Kyber(int keyId) =>
        new(keyId, TestKey.Bytes(TestKey.OneTimeKyber, keyId, 1569), TestKey.Bytes(TestKey.Signature, keyId, 64));

    private static Prekey Signed(int keyId, byte kind) =>
        new(keyId, TestKey.Bytes(kind, keyId, kind == TestKey.SignedEc ? 33 : 1569), TestKey.Bytes(TestKey.Signature, keyId, 64));

    private static void AssertKey(Prekey expected, Prekey actual)
    {
        Assert.Equal(expected.KeyId, actual.KeyId);
        Assert.Equal(expected.PublicKey, actual.PublicKey);
        Assert.Equal(expected.Signature, actual.Signature);
    }

    /// <summary>Key bytes that say what they are: a marker for the kind, then the key id.</summary>
    private static class TestKey
    {
        public const byte SignedEc = 1;
        public const byte LastResortKyber = 2;
        public const byte OneTimeEc = 3;
        public const byte OneTimeKyber = 4;
        public const byte Signature = 5;

        public static byte[] Bytes(byte kind, int keyId, int length)
        {
            var bytes = new byte[length];
            bytes[0] = kind;
            BitConverter.TryWriteBytes(bytes.AsSpan(1), keyId);
            bytes[^1] = kind;
            return bytes;
        }
    }
}

public sealed class SqlitePrekeyStoreContractTests : PrekeyStoreContractTests
{
    protected override Task<SqlStorage> CreateStorageAsync() => StorageFactory.SqliteAsync(Directory);
}

public sealed class PostgresPrekeyStoreContractTests : PrekeyStoreContractTests
{
    protected override Task<SqlStorage> CreateStorageAsync() => StorageFactory.PostgresAsync();
}
