using System.Security.Cryptography;
using System.Text;

namespace E2eeChat.Domain.Security;

/// <summary>The outcome of checking a password against a stored hash.</summary>
public enum PasswordVerification
{
    Failed = 0,
    Succeeded,

    /// <summary>The password is right, but the stored hash is weaker than the current options: store a new one.</summary>
    SucceededRehashNeeded,
}

/// <summary>
/// Hashes passwords with Argon2id into PHC strings that libsodium's
/// <c>crypto_pwhash_str_verify</c> and the Argon2 reference tools also accept.
/// Thread-safe; register it once.
/// </summary>
public sealed class PasswordHasher
{
    private readonly int _memoryKiB;
    private readonly int _iterations;
    private readonly int _parallelism;
    private readonly int _saltLength;
    private readonly int _hashLength;
    private readonly string _dummyHash;

    public PasswordHasher(PasswordHashingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        // Copied so that later changes to the options object cannot half-apply.
        _memoryKiB = options.MemoryKiB;
        _iterations = options.Iterations;
        _parallelism = options.Parallelism;
        _saltLength = options.SaltLength;
        _hashLength = options.HashLength;
        // Random bytes in place of a hash cost exactly what a real one does to check, and match no password.
        _dummyHash = new Argon2idPhcString(
            _memoryKiB,
            _iterations,
            _parallelism,
            RandomNumberGenerator.GetBytes(_saltLength),
            RandomNumberGenerator.GetBytes(_hashLength)).Format();
    }

    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        byte[] salt = RandomNumberGenerator.GetBytes(_saltLength);
        byte[] hash = new byte[_hashLength];
        Derive(password, salt, _memoryKiB, _iterations, _parallelism, hash);
        return new Argon2idPhcString(_memoryKiB, _iterations, _parallelism, salt, hash).Format();
    }

    /// <summary>
    /// Checks <paramref name="password"/> against a stored PHC string. Anything
    /// malformed, of another algorithm or beyond the cost ceilings is
    /// <see cref="PasswordVerification.Failed"/>; this never throws for a bad string.
    /// </summary>
    public PasswordVerification Verify(string password, string? phcString)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!Argon2idPhcString.TryParse(phcString, out Argon2idPhcString? stored))
        {
            return PasswordVerification.Failed;
        }

        byte[] actual = new byte[stored.Hash.Length];
        Derive(password, stored.Salt, stored.MemoryKiB, stored.Iterations, stored.Parallelism, actual);
        bool matches = CryptographicOperations.FixedTimeEquals(actual, stored.Hash);
        CryptographicOperations.ZeroMemory(actual);
        if (!matches)
        {
            return PasswordVerification.Failed;
        }

        bool weaker = stored.MemoryKiB < _memoryKiB
            || stored.Iterations < _iterations
            || stored.Parallelism < _parallelism
            || stored.Salt.Length < _saltLength
            || stored.Hash.Length != _hashLength;
        return weaker ? PasswordVerification.SucceededRehashNeeded : PasswordVerification.Succeeded;
    }

    /// <summary>
    /// Spends the time of a real verification and fails. Call it when the user does
    /// not exist, so that login time does not tell which usernames are registered.
    /// </summary>
    public PasswordVerification VerifyDummy(string password)
    {
        _ = Verify(password, _dummyHash);
        return PasswordVerification.Failed;
    }

    /// <summary>The stand-in hash <see cref="VerifyDummy"/> checks against.</summary>
    internal string DummyHash => _dummyHash;

    private static void Derive(string password, byte[] salt, int memoryKiB, int iterations, int parallelism, Span<byte> hash)
    {
        byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            Argon2id.DeriveBytes(passwordBytes, salt, [], [], memoryKiB, iterations, parallelism, hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }
}
