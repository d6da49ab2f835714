using E2eeChat.Domain.Accounts;
using E2eeChat.Server.Auth.Passwords;
using Xunit;

namespace E2eeChat.Server.Tests.Auth.Passwords;

/// <summary>
/// Known answers from the Argon2 reference implementation (P-H-C/phc-winner-argon2, version 1.3).
/// RFC 9106 §5.3's Argon2id vector uses 4 lanes, a secret and associated data, none of which
/// libsodium computes, so it cannot be checked here; these are argon2id v1.3 answers of the
/// reference code that libsodium can compute.
/// </summary>
public sealed class Argon2idKnownAnswerTests
{
    private readonly SodiumPasswordHasher _hasher = new(new PasswordHashingOptions());

    /// <summary>
    /// One lane and a 16-byte salt: what NSec computes. Produced by the reference implementation's
    /// CLI, built from commit f57e61e with `make OPTTARGET=none`:
    /// <c>printf 'password' | ./argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -l 32</c> and
    /// <c>printf 'correct horse battery staple' | ./argon2 0123456789abcdef -id -t 3 -k 8192 -p 1 -l 64</c>.
    /// </summary>
    [Theory]
    [InlineData("password",
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
        PasswordVerification.Succeeded)]
    [InlineData("correct horse battery staple",
        "$argon2id$v=19$m=8192,t=3,p=1$MDEyMzQ1Njc4OWFiY2RlZg$iOh8PVKwjyzrPZNrn9kaFKXKUGBVwbGlo9kcWaMlSUqw86WAgPqG/P1YXIoCNuw/3mIm9tdPN3uhdriAyeqyBA",
        PasswordVerification.SucceededRehashNeeded)]
    public void Libsodium_computes_the_reference_answer(string password, string reference, PasswordVerification expected)
    {
        Assert.Equal(expected, _hasher.Verify(password, reference));
        Assert.Equal(PasswordVerification.Failed, _hasher.Verify(password + "!", reference));
    }

    /// <summary>
    /// The reference implementation's own test vectors (src/test.c, argon2id, version 0x13), verbatim:
    /// an 8-byte salt, and one of them two lanes. NSec cannot compute these; libsodium's own PHC
    /// verifier does, and it is what checks hashes stored in such forms.
    /// </summary>
    [Theory]
    [InlineData("password", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("password", "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc")]
    [InlineData("password", "$argon2id$v=19$m=65536,t=1,p=1$c29tZXNhbHQ$9qWtwbpyPd3vm1rB1GThgPzZ3/ydHL92zKL+15XZypg")]
    [InlineData("differentpassword", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$C4TWUs9rDEvq7w3+J4umqA32aWKB1+DSiRuBfYxFj94")]
    [InlineData("password", "$argon2id$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$vfMrBczELrFdWP0ZsfhWsRPaHppYdP3MVEMIVlqoFBw")]
    public void Reference_test_vectors_verify_and_ask_for_a_rehash(string password, string reference)
    {
        Assert.Equal(PasswordVerification.SucceededRehashNeeded, _hasher.Verify(password, reference));
        Assert.Equal(PasswordVerification.Failed, _hasher.Verify("wrong" + password, reference));
    }
}
