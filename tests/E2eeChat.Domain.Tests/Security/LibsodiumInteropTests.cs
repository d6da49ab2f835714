using E2eeChat.Domain.Security;
using Xunit;

namespace E2eeChat.Domain.Tests.Security;

/// <summary>Stored hashes must move freely between us and libsodium, in both directions.</summary>
public class LibsodiumInteropTests
{
    [Fact]
    public void Libsodium_hash_at_default_cost_verifies_with_PasswordHasher()
    {
        var options = new PasswordHashingOptions();
        string phc = Libsodium.PwhashStr("hunter2", options.Iterations, options.MemoryKiB);
        var hasher = new PasswordHasher(options);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", phc, StringComparison.Ordinal);
        Assert.Equal(PasswordVerification.Succeeded, hasher.Verify("hunter2", phc));
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("hunter3", phc));
    }

    [Theory]
    [InlineData(8192, 1, 1)]
    [InlineData(8192, 3, 1)]
    [InlineData(8192, 1, 2)]
    [InlineData(9000, 2, 4)]
    public void PasswordHasher_hash_verifies_with_libsodium(int memoryKiB, int iterations, int parallelism)
    {
        var hasher = new PasswordHasher(new PasswordHashingOptions
        {
            MemoryKiB = memoryKiB,
            Iterations = iterations,
            Parallelism = parallelism,
        });

        string phc = hasher.Hash("hunter2");

        Assert.True(Libsodium.PwhashStrVerify(phc, "hunter2"));
        Assert.False(Libsodium.PwhashStrVerify(phc, "hunter3"));
    }
}
