using E2eeChat.Domain.Accounts;
using E2eeChat.Server.Auth.Passwords;
using Xunit;

namespace E2eeChat.Server.Tests.Auth.Passwords;

/// <summary>
/// Hashes move freely between us and an independent libsodium (Debian's libsodium23) in both
/// directions, and every hash our managed Argon2id stored before the switch still verifies.
/// </summary>
public sealed class StoredHashCompatibilityTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public void Debian_libsodium_hash_at_default_cost_verifies()
    {
        var options = new PasswordHashingOptions();
        var phc = DebianLibsodium.PwhashStr("hunter2", options.Iterations, options.MemoryKiB);
        var hasher = new SodiumPasswordHasher(options);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", phc, StringComparison.Ordinal);
        Assert.Equal(PasswordVerification.Succeeded, hasher.Verify("hunter2", phc));
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("hunter3", phc));
    }

    [Theory]
    [InlineData(8192, 1, 32)]
    [InlineData(8192, 3, 32)]
    [InlineData(9000, 2, 64)]
    [InlineData(19456, 2, 16)]
    public void Our_hash_verifies_with_Debian_libsodium(int memoryKiB, int iterations, int hashLength)
    {
        var hasher = new SodiumPasswordHasher(new PasswordHashingOptions { MemoryKiB = memoryKiB, Iterations = iterations, HashLength = hashLength });

        var phc = hasher.Hash("pässwörd \u6F22\u5B57 \U0001F511");

        Assert.True(DebianLibsodium.PwhashStrVerify(phc, "pässwörd \u6F22\u5B57 \U0001F511"));
        Assert.False(DebianLibsodium.PwhashStrVerify(phc, "passwörd \u6F22\u5B57 \U0001F511"));
    }

    /// <summary>
    /// Written by our managed Argon2id (the code this replaced) with the options each names; checked
    /// against the cheapest configuration, so that a rehash is asked for only for the form.
    /// </summary>
    [Theory]
    // Defaults: the form nearly every stored hash has.
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$BunoKpQC3nlp++DBIf7hRg$Qxsy0SaMGf3onJKCw2du+9tCN2vhNw33Bp1kww2wMqk", PasswordVerification.Succeeded)]
    // Parallelism=2.
    [InlineData("$argon2id$v=19$m=8200,t=2,p=2$AWybhY8upya2YPbH15z0Aw$wi/843ibeu2ZeQrhVsymIAjOgZR5dvoHz4J1qIVjN+M", PasswordVerification.SucceededRehashNeeded)]
    // Parallelism=4, HashLength=40.
    [InlineData("$argon2id$v=19$m=9000,t=3,p=4$unJX3AryjHgkQqtBC0Rr8w$onAeOQKvFovfbFQ8CCF+Mh/LIK6OFXcRjuHBBNG6+AZAlNtNL3384Q", PasswordVerification.SucceededRehashNeeded)]
    // SaltLength=32.
    [InlineData("$argon2id$v=19$m=8192,t=1,p=1$zqIbJ0b92OvbEEZeT2m0PDcQGNk3g/uoT+7sGvghtiQ$JcIo5xmjbG3FGKhtuLF5OQAmSC1CK18SjhxfIp5lgN8", PasswordVerification.SucceededRehashNeeded)]
    public void Hashes_stored_before_the_switch_still_verify(string stored, PasswordVerification expected)
    {
        var hasher = new SodiumPasswordHasher(new PasswordHashingOptions { MemoryKiB = 8192, Iterations = 1 });

        Assert.Equal(expected, hasher.Verify(Password, stored));
        Assert.Equal(PasswordVerification.Failed, hasher.Verify(Password + " ", stored));
        Assert.True(DebianLibsodium.PwhashStrVerify(stored, Password));
    }
}
