using System.Text.RegularExpressions;
using E2eeChat.Domain.Security;
using Xunit;

namespace E2eeChat.Domain.Tests.Security;

public class PasswordHasherTests
{
    // The cheapest options validation allows, to keep the suite fast.
    private static readonly PasswordHashingOptions Cheap = new() { MemoryKiB = 8192, Iterations = 1 };

    private readonly PasswordHasher _hasher = new(Cheap);

    [Fact]
    public void Hash_produces_the_phc_string_libsodium_writes()
    {
        string phc = _hasher.Hash("hunter2");

        Assert.Matches(
            new Regex(@"^\$argon2id\$v=19\$m=8192,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$"),
            phc);
    }

    [Fact]
    public void Hash_then_verify_with_the_same_password_succeeds()
    {
        string phc = _hasher.Hash("hunter2");

        Assert.Equal(PasswordVerification.Succeeded, _hasher.Verify("hunter2", phc));
    }

    [Fact]
    public void Verify_with_a_wrong_password_fails()
    {
        string phc = _hasher.Hash("hunter2");

        Assert.Equal(PasswordVerification.Failed, _hasher.Verify("hunter3", phc));
        Assert.Equal(PasswordVerification.Failed, _hasher.Verify("", phc));
    }

    [Fact]
    public void Hash_salts_each_hash_afresh()
    {
        Assert.NotEqual(_hasher.Hash("hunter2"), _hasher.Hash("hunter2"));
    }

    [Fact]
    public void Hash_encodes_passwords_as_utf8()
    {
        const string password = "pässwörd \u6F22\u5B57 \U0001F511";
        string phc = _hasher.Hash(password);

        Assert.Equal(PasswordVerification.Succeeded, _hasher.Verify(password, phc));
        Assert.True(Libsodium.PwhashStrVerify(phc, password));
    }

    [Fact]
    public void Verify_with_one_hash_bit_flipped_fails()
    {
        string phc = _hasher.Hash("hunter2");
        // The first character of the hash carries six full bits, so the flip stays canonical.
        int hashStart = phc.LastIndexOf('$') + 1;
        char flipped = phc[hashStart] == 'A' ? 'B' : 'A';
        string tampered = string.Concat(phc.AsSpan(0, hashStart), flipped.ToString(), phc.AsSpan(hashStart + 1));

        Assert.Equal(PasswordVerification.Failed, _hasher.Verify("hunter2", tampered));
    }

    public static TheoryData<string?> MalformedStrings => new()
    {
        null,
        "",
        "$",
        "hunter2",
        "$argon2i$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2d$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=16$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$t=1,m=8192,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=08192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=+8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=8192,t=1,p=1,keyid=x$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=8192,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=8192,t=1,p=0$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=7,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=99999999999,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=8192,t=1000,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA==$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdB$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNh bHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNh-HRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=8192,t=1,p=1$c29t$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpo",
        "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$",
        "$argon2id$v=19$m=8192,t=1,p=1$$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
        "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8$",
        "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8\n",
        "$argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$" + new string('A', 5000),
        "$argon2id$v=19$m=\u0668192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
    };

    [Theory]
    [MemberData(nameof(MalformedStrings))]
    public void Verify_of_a_malformed_string_fails_without_throwing(string? phc)
    {
        Assert.Equal(PasswordVerification.Failed, _hasher.Verify("password", phc));
    }

    [Theory]
    [InlineData(16384, 1, 1, 32)]
    [InlineData(8192, 2, 1, 32)]
    [InlineData(8192, 1, 2, 32)]
    [InlineData(8192, 1, 1, 64)]
    public void Verify_asks_for_a_rehash_when_the_stored_hash_is_weaker_than_current_options(
        int memoryKiB, int iterations, int parallelism, int hashLength)
    {
        string phc = _hasher.Hash("hunter2");
        var stricter = new PasswordHasher(new PasswordHashingOptions
        {
            MemoryKiB = memoryKiB,
            Iterations = iterations,
            Parallelism = parallelism,
            HashLength = hashLength,
        });

        Assert.Equal(PasswordVerification.SucceededRehashNeeded, stricter.Verify("hunter2", phc));
        Assert.Equal(PasswordVerification.Failed, stricter.Verify("hunter3", phc));
    }

    [Fact]
    public void Verify_of_a_hash_stronger_than_current_options_needs_no_rehash()
    {
        string phc = new PasswordHasher(new PasswordHashingOptions { MemoryKiB = 8200, Iterations = 2, Parallelism = 2 })
            .Hash("hunter2");

        Assert.Equal(PasswordVerification.Succeeded, _hasher.Verify("hunter2", phc));
    }

    [Fact]
    public void Hash_and_verify_at_default_options()
    {
        var hasher = new PasswordHasher(new PasswordHashingOptions());

        string phc = hasher.Hash("hunter2");

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", phc, StringComparison.Ordinal);
        Assert.Equal(PasswordVerification.Succeeded, hasher.Verify("hunter2", phc));
    }

    [Fact]
    public void VerifyDummy_checks_against_a_well_formed_hash_at_the_current_cost()
    {
        // A malformed dummy would fail in microseconds and give unknown usernames away.
        var options = new PasswordHashingOptions { MemoryKiB = 9000, Iterations = 3, Parallelism = 2, HashLength = 40 };
        var hasher = new PasswordHasher(options);

        Assert.True(Argon2idPhcString.TryParse(hasher.DummyHash, out Argon2idPhcString? dummy));
        Assert.Equal(
            (options.MemoryKiB, options.Iterations, options.Parallelism, options.SaltLength, options.HashLength),
            (dummy.MemoryKiB, dummy.Iterations, dummy.Parallelism, dummy.Salt.Length, dummy.Hash.Length));
    }

    [Fact]
    public void VerifyDummy_always_fails()
    {
        Assert.Equal(PasswordVerification.Failed, _hasher.VerifyDummy("hunter2"));
        Assert.Equal(PasswordVerification.Failed, _hasher.VerifyDummy(""));
    }

    [Theory]
    [InlineData(4096, 2, 1, 16, 32)]
    [InlineData(19456, 0, 1, 16, 32)]
    [InlineData(19456, 2, 0, 16, 32)]
    [InlineData(19456, 2, 1, 8, 32)]
    [InlineData(19456, 2, 1, 16, 8)]
    [InlineData(19456, 2, 1, 16, 128)]
    [InlineData(19456, 100, 1, 16, 32)]
    public void Options_outside_the_allowed_ranges_are_rejected(
        int memoryKiB, int iterations, int parallelism, int saltLength, int hashLength)
    {
        var options = new PasswordHashingOptions
        {
            MemoryKiB = memoryKiB,
            Iterations = iterations,
            Parallelism = parallelism,
            SaltLength = saltLength,
            HashLength = hashLength,
        };

        Assert.Single(options.Validate());
        Assert.Throws<ArgumentException>(() => new PasswordHasher(options));
    }

    [Fact]
    public void Default_options_are_valid()
    {
        Assert.Empty(new PasswordHashingOptions().Validate());
    }
}
