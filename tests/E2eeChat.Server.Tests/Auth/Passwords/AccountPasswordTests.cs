using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Errors;
using E2eeChat.Server.Auth.Passwords;
using E2eeChat.Storage;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Auth.Passwords;

/// <summary>Sign-in through the account rules, the libsodium hasher and the real store.</summary>
public sealed class AccountPasswordTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("e2eechat-rehash");
    private SqlStorage _storage = null!;

    public async Task InitializeAsync()
    {
        _storage = SqlStorage.Create(new StorageOptions
        {
            Provider = StorageProvider.Sqlite,
            SqlitePath = Path.Combine(_directory.Path, "test.db"),
        });
        await _storage.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Login_rehashes_a_password_stored_with_weaker_parameters()
    {
        var weak = Accounts(new PasswordHashingOptions { MemoryKiB = 8192, Iterations = 1 });
        var strong = Accounts(new PasswordHashingOptions { MemoryKiB = 9216, Iterations = 2 });
        var (account, _) = await weak.SignUpAsync(SignUp("rehash_me"), CancellationToken.None);
        Assert.Contains("m=8192,t=1", account.PasswordHash, StringComparison.Ordinal);

        await strong.AuthenticateAsync("rehash_me", "correct horse battery", CancellationToken.None);

        var stored = await _storage.Accounts.FindByIdAsync(account.UserId, CancellationToken.None);
        Assert.Contains("m=9216,t=2", stored!.PasswordHash, StringComparison.Ordinal);
        await strong.AuthenticateAsync("rehash_me", "correct horse battery", CancellationToken.None);
    }

    [Fact]
    public async Task Login_rewrites_a_hash_stored_with_two_lanes_in_libsodium_form()
    {
        // Written by our managed Argon2id before the switch to libsodium (PasswordHashing:Parallelism=2).
        const string twoLanes = "$argon2id$v=19$m=8200,t=2,p=2$AWybhY8upya2YPbH15z0Aw$wi/843ibeu2ZeQrhVsymIAjOgZR5dvoHz4J1qIVjN+M";
        var accounts = Accounts(new PasswordHashingOptions { MemoryKiB = 8192, Iterations = 1 });
        var (account, _) = await accounts.SignUpAsync(SignUp("two_lanes"), CancellationToken.None);
        await _storage.Accounts.UpdatePasswordHashAsync(account.UserId, twoLanes, CancellationToken.None);

        await accounts.AuthenticateAsync("two_lanes", "correct horse battery", CancellationToken.None);

        var stored = await _storage.Accounts.FindByIdAsync(account.UserId, CancellationToken.None);
        Assert.StartsWith("$argon2id$v=19$m=8192,t=1,p=1$", stored!.PasswordHash, StringComparison.Ordinal);
        await accounts.AuthenticateAsync("two_lanes", "correct horse battery", CancellationToken.None);
    }

    [Fact]
    public async Task Failed_login_leaves_the_stored_hash_alone()
    {
        var weak = Accounts(new PasswordHashingOptions { MemoryKiB = 8192, Iterations = 1 });
        var strong = Accounts(new PasswordHashingOptions { MemoryKiB = 9216, Iterations = 2 });
        var (account, _) = await weak.SignUpAsync(SignUp("keep_me"), CancellationToken.None);

        await Assert.ThrowsAsync<DomainException>(() =>
            strong.AuthenticateAsync("keep_me", "wrong password here", CancellationToken.None));

        Assert.Equal(account.PasswordHash, (await _storage.Accounts.FindByIdAsync(account.UserId, CancellationToken.None))!.PasswordHash);
    }

    [Fact]
    public async Task Login_as_an_unknown_user_costs_one_verification_and_fails_as_a_wrong_password_does()
    {
        var hasher = new CountingHasher(new SodiumPasswordHasher(new PasswordHashingOptions { MemoryKiB = 8192, Iterations = 1 }));
        var accounts = new AccountService(_storage.Accounts, hasher, TimeProvider.System);
        await accounts.SignUpAsync(SignUp("known_user"), CancellationToken.None);

        var unknown = await Assert.ThrowsAsync<DomainException>(() =>
            accounts.AuthenticateAsync("unknown_user", "correct horse battery", CancellationToken.None));
        Assert.Equal((0, 1), (hasher.Verifications, hasher.DummyVerifications));
        var wrong = await Assert.ThrowsAsync<DomainException>(() =>
            accounts.AuthenticateAsync("known_user", "wrong password here", CancellationToken.None));

        Assert.Equal((1, 1), (hasher.Verifications, hasher.DummyVerifications));
        Assert.Equal((wrong.Code, wrong.Message), (unknown.Code, unknown.Message));
    }

    private AccountService Accounts(PasswordHashingOptions options) =>
        new(_storage.Accounts, new SodiumPasswordHasher(options), TimeProvider.System);

    /// <summary>The real hasher, with its calls counted.</summary>
    private sealed class CountingHasher(IPasswordHasher inner) : IPasswordHasher
    {
        public int Verifications { get; private set; }

        public int DummyVerifications { get; private set; }

        public string Hash(string password) => inner.Hash(password);

        public PasswordVerification Verify(string password, string? storedHash)
        {
            Verifications++;
            return inner.Verify(password, storedHash);
        }

        public void VerifyDummy(string password)
        {
            DummyVerifications++;
            inner.VerifyDummy(password);
        }
    }

    private static SignUp SignUp(string username) =>
        new(username, "correct horse battery", Convert.ToBase64String(new byte[33]), 7, "phone");
}
