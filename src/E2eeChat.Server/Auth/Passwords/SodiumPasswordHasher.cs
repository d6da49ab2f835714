using System.Security.Cryptography;
using System.Text;
using E2eeChat.Domain.Accounts;
using NSec.Cryptography;

namespace E2eeChat.Server.Auth.Passwords;

/// <summary>
/// Argon2id (RFC 9106, version 1.3) through libsodium, by NSec, stored as the PHC string that
/// libsodium's <c>crypto_pwhash_str</c> and the Argon2 reference tools write:
/// <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c>. Thread-safe; register it once.
/// </summary>
internal sealed class SodiumPasswordHasher : IPasswordHasher
{
    private readonly int _memoryKiB;
    private readonly int _iterations;
    private readonly int _hashLength;
    private readonly Argon2id _configured;
    private readonly string _dummyHash;

    public SodiumPasswordHasher(PasswordHashingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // Copied so that later changes to the options object cannot half-apply.
        _memoryKiB = options.MemoryKiB;
        _iterations = options.Iterations;
        _hashLength = options.HashLength;
        _configured = Argon2idOf(_memoryKiB, _iterations);
        // Random bytes in place of a hash cost exactly what a real one does to check, and match no password.
        _dummyHash = new Argon2idPhcString(_memoryKiB, _iterations, PasswordHashingOptions.SupportedParallelism,
            RandomNumberGenerator.GetBytes(PasswordHashingOptions.SupportedSaltLength), RandomNumberGenerator.GetBytes(_hashLength)).Format();
    }

    /// <summary>The stand-in hash <see cref="VerifyDummy"/> checks against.</summary>
    internal string DummyHash => _dummyHash;

    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetBytes(PasswordHashingOptions.SupportedSaltLength);
        var hash = new byte[_hashLength];
        Derive(_configured, password, salt, hash);
        return new Argon2idPhcString(_memoryKiB, _iterations, PasswordHashingOptions.SupportedParallelism, salt, hash).Format();
    }

    public PasswordVerification Verify(string password, string? storedHash)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!Argon2idPhcString.TryParse(storedHash, out var stored))
        {
            return PasswordVerification.Failed;
        }

        var inLibsodiumForm = stored.Parallelism == PasswordHashingOptions.SupportedParallelism
            && stored.Salt.Length == PasswordHashingOptions.SupportedSaltLength;
        var matches = inLibsodiumForm
            ? Matches(password, stored)
            : LibsodiumPhcVerifier.Verify(storedHash!, password);
        if (!matches)
        {
            return PasswordVerification.Failed;
        }

        var rehash = !inLibsodiumForm
            || stored.MemoryKiB < _memoryKiB
            || stored.Iterations < _iterations
            || stored.Hash.Length != _hashLength;
        return rehash ? PasswordVerification.SucceededRehashNeeded : PasswordVerification.Succeeded;
    }

    public void VerifyDummy(string password) => _ = Verify(password, _dummyHash);

    private bool Matches(string password, Argon2idPhcString stored)
    {
        var algorithm = stored.MemoryKiB == _memoryKiB && stored.Iterations == _iterations
            ? _configured
            : Argon2idOf(stored.MemoryKiB, stored.Iterations);
        var actual = new byte[stored.Hash.Length];
        Derive(algorithm, password, stored.Salt, actual);
        var matches = CryptographicOperations.FixedTimeEquals(actual, stored.Hash);
        CryptographicOperations.ZeroMemory(actual);
        return matches;
    }

    private static Argon2id Argon2idOf(int memoryKiB, int iterations) =>
        PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = PasswordHashingOptions.SupportedParallelism,
            MemorySize = memoryKiB,
            NumberOfPasses = iterations,
        });

    private static void Derive(Argon2id algorithm, string password, byte[] salt, Span<byte> hash)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            algorithm.DeriveBytes(passwordBytes, salt, hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }
}
