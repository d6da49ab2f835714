using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Security;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>Sign-in upgrades a hash made with weaker Argon2id parameters, through the real store.</summary>
public sealed class PasswordRehashTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("e2eechat-rehash");
    private SqlStorage _storage = null!;

    public async Task InitializeAsync() => _storage = await StorageFactory.SqliteAsync(_directory);

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Login_rehashes_a_password_stored_with_weaker_parameters()
    {
        var weak = new AccountService(_storage.Accounts, new PasswordHasher(new PasswordHashingOptions { MemoryKiB = 8192, Iterations = 1 }), TimeProvider.System);
        var strong = new AccountService(_storage.Accounts, new PasswordHasher(new PasswordHashingOptions { MemoryKiB = 9216, Iterations = 2 }), TimeProvider.System);
        var (account, _) = await weak.SignUpAsync(
            new SignUp("rehash_me", "correct horse battery", Convert.ToBase64String(new byte[33]), 7, "phone"), CancellationToken.None);
        Assert.Contains("m=8192,t=1", account.PasswordHash, StringComparison.Ordinal);

        await strong.AuthenticateAsync("rehash_me", "correct horse battery", CancellationToken.None);

        var stored = await _storage.Accounts.FindByIdAsync(account.UserId, CancellationToken.None);
        Assert.Contains("m=9216,t=2", stored!.PasswordHash, StringComparison.Ordinal);
        await strong.AuthenticateAsync("rehash_me", "correct horse battery", CancellationToken.None);
    }

    [Fact]
    public async Task Failed_login_leaves_the_stored_hash_alone()
    {
        var weak = new AccountService(_storage.Accounts, new PasswordHasher(new PasswordHashingOptions { MemoryKiB = 8192, Iterations = 1 }), TimeProvider.System);
        var strong = new AccountService(_storage.Accounts, new PasswordHasher(new PasswordHashingOptions { MemoryKiB = 9216, Iterations = 2 }), TimeProvider.System);
        var (account, _) = await weak.SignUpAsync(
            new SignUp("keep_me", "correct horse battery", Convert.ToBase64String(new byte[33]), 7, "phone"), CancellationToken.None);

        await Assert.ThrowsAsync<E2eeChat.Domain.Errors.DomainException>(() =>
            strong.AuthenticateAsync("keep_me", "wrong password here", CancellationToken.None));

        Assert.Equal(account.PasswordHash, (await _storage.Accounts.FindByIdAsync(account.UserId, CancellationToken.None))!.PasswordHash);
    }
}
