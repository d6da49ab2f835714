using System.Text.RegularExpressions;
using E2eeChat.Domain.Accounts;
using E2eeChat.Server.Auth.Passwords;
using Xunit;

namespace E2eeChat.Server.Tests.Auth.Passwords;

public sealed class SodiumPasswordHasherTests
{
    // The cheapest options validation allows, to keep the suite fast.
    private static readonly PasswordHashingOptions Cheap = new() { MemoryKiB = 8192, Iterations = 1 };

    private readonly SodiumPasswordHasher _hasher = new(Cheap);

    [Fact]
    public void Hash_produces_the_phc_string_libsodium_writes()
    {
        var phc = _hasher.Hash("hunter2");

        Assert.Matches(new Regex(@"^\$argon2id\$v=19\$m=8192,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$"), phc);
    }

    [Fact]
    public void Hash_then_verify_with_the_same_password_succeeds()
    {
        var phc = _hasher.Hash("hunter2");

        Assert.Equal(PasswordVerification.Succeeded, _hasher.Verify("hunter2", phc));
    }

    [Fact]
    public void Verify_with_a_wrong_password_fails()
    {
        var phc = _hasher.Hash("hunter2");

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
        var phc = _hasher.Hash(password);

        Assert.Equal(PasswordVerification.Succeeded, _hasher.Verify(password, phc));
        Assert.True(DebianLibsodium.PwhashStrVerify(phc, password));
    }

    [Fact]
    public void Verify_with_one_hash_bit_flipped_fails()
    {
        var phc = _hasher.Hash("hunter2");
        // The first character of the hash carries six full bits, so the flip stays canonical.
        var hashStart = phc.LastIndexOf('$') + 1;
        var flipped = phc[hashStart] == 'A' ? 'B' : 'A';
        var tampered = string.Concat(phc.AsSpan(0, hashStart), flipped.ToString(), phc.AsSpan(hashStart + 1));

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
        "$argon2id$v=19$m=8192,t=1,p=100$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
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
        // Less than 8 KiB per lane.
        "$argon2id$v=19$m=15,t=1,p=2$c29tZXNhbHRzb21lc2FsdA$3Hb6Jy9dvpoGxPtqCPJ5DmIo9bvgvRgGb4E9ApwdXi8",
    };

    [Theory]
    [MemberData(nameof(MalformedStrings))]
    public void Verify_of_a_malformed_string_fails_without_throwing(string? phc)
    {
        Assert.Equal(PasswordVerification.Failed, _hasher.Verify("password", phc));
    }

    [Theory]
    [InlineData(16384, 1, 32)]
    [InlineData(8192, 2, 32)]
    [InlineData(8192, 1, 64)]
    public void Verify_asks_for_a_rehash_when_the_stored_hash_is_weaker_than_current_options(int memoryKiB, int iterations, int hashLength)
    {
        var phc = _hasher.Hash("hunter2");
        var stricter = new SodiumPasswordHasher(new PasswordHashingOptions { MemoryKiB = memoryKiB, Iterations = iterations, HashLength = hashLength });

        Assert.Equal(PasswordVerification.SucceededRehashNeeded, stricter.Verify("hunter2", phc));
        Assert.Equal(PasswordVerification.Failed, stricter.Verify("hunter3", phc));
    }

    [Fact]
    public void Verify_of_a_hash_stronger_than_current_options_needs_no_rehash()
    {
        var phc = new SodiumPasswordHasher(new PasswordHashingOptions { MemoryKiB = 8200, Iterations = 2 }).Hash("hunter2");

        Assert.Equal(PasswordVerification.Succeeded, _hasher.Verify("hunter2", phc));
    }

    [Fact]
    public void Hash_and_verify_at_default_options()
    {
        var hasher = new SodiumPasswordHasher(new PasswordHashingOptions());

        var phc = hasher.Hash("hunter2");

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", phc, StringComparison.Ordinal);
        Assert.Equal(PasswordVerification.Succeeded, hasher.Verify("hunter2", phc));
    }

    [Fact]
    public void VerifyDummy_checks_against_a_well_formed_hash_at_the_current_cost()
    {
        // A malformed dummy would fail in microseconds and give unknown usernames away.
        var options = new PasswordHashingOptions { MemoryKiB = 9000, Iterations = 3, HashLength = 40 };
        var hasher = new SodiumPasswordHasher(options);

        Assert.True(Argon2idPhcString.TryParse(hasher.DummyHash, out var dummy));
        Assert.Equal(
            (options.MemoryKiB, options.Iterations, 1, 16, options.HashLength),
            (dummy.MemoryKiB, dummy.Iterations, dummy.Parallelism, dummy.Salt.Length, dummy.Hash.Length));
        // Its form is the one NSec computes, so it costs what a real verification of a fresh hash costs.
        Assert.Equal(PasswordVerification.Failed, hasher.Verify("hunter2", hasher.DummyHash));
    }

    [Theory]
    [InlineData(4096, 2, 1, 16, 32, "MemoryKiB must be between 8192 and 1048576")]
    [InlineData(19456, 0, 1, 16, 32, "Iterations must be between 1 and 32")]
    [InlineData(19456, 100, 1, 16, 32, "Iterations must be between 1 and 32")]
    [InlineData(19456, 2, 1, 16, 8, "HashLength must be between 16 and 64")]
    [InlineData(19456, 2, 1, 16, 128, "HashLength must be between 16 and 64")]
    [InlineData(19456, 2, 2, 16, 32, "Parallelism must be 1, as libsodium computes Argon2id with one lane")]
    [InlineData(19456, 2, 0, 16, 32, "Parallelism must be 1, as libsodium computes Argon2id with one lane")]
    [InlineData(19456, 2, 1, 32, 32, "SaltLength must be 16, the salt length libsodium's Argon2id takes")]
    [InlineData(19456, 2, 1, 8, 32, "SaltLength must be 16, the salt length libsodium's Argon2id takes")]
    public void Options_outside_what_libsodium_allows_stop_start_up_with_a_message_naming_them(
        int memoryKiB, int iterations, int parallelism, int saltLength, int hashLength, string message)
    {
        var options = new PasswordHashingOptions
        {
            MemoryKiB = memoryKiB,
            Iterations = iterations,
            Parallelism = parallelism,
            SaltLength = saltLength,
            HashLength = hashLength,
        };

        var error = Assert.Throws<InvalidOperationException>(() => new SodiumPasswordHasher(options));
        Assert.Contains("PasswordHashing:" + message, error.Message, StringComparison.Ordinal);
    }
}
