using E2eeChat.Domain.Common;

namespace E2eeChat.Server.Auth.Passwords;

/// <summary>
/// Argon2id cost for new password hashes, bound from the <c>PasswordHashing</c> section. The defaults
/// are OWASP's first recommendation (19 MiB, 2 passes, 1 lane).
/// </summary>
public sealed class PasswordHashingOptions : IValidatedOptions
{
    public const string SectionName = "PasswordHashing";

    // Below 8 MiB a GPU can try passwords cheaply whatever the pass count.
    public const int MinMemoryKiB = 8192;

    // Ceilings bound what a stored hash may demand of a verifier, so they apply to stored hashes too.
    public const int MaxMemoryKiB = 1024 * 1024;
    public const int MaxIterations = 32;
    public const int MaxParallelism = 64;
    public const int MinStoredSaltLength = 8;
    public const int MaxStoredSaltLength = 64;
    public const int MinHashLength = 16;
    public const int MaxHashLength = 64;

    // What libsodium's Argon2id computes: one lane, 16-byte salts.
    public const int SupportedParallelism = 1;
    public const int SupportedSaltLength = 16;

    public int MemoryKiB { get; set; } = 19456;

    public int Iterations { get; set; } = 2;

    public int Parallelism { get; set; } = SupportedParallelism;

    public int SaltLength { get; set; } = SupportedSaltLength;

    public int HashLength { get; set; } = 32;

    /// <summary>Throws, naming every problem, when these values cannot be used.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        CheckRange(errors, nameof(MemoryKiB), MemoryKiB, MinMemoryKiB, MaxMemoryKiB);
        CheckRange(errors, nameof(Iterations), Iterations, 1, MaxIterations);
        CheckRange(errors, nameof(HashLength), HashLength, MinHashLength, MaxHashLength);
        if (Parallelism != SupportedParallelism)
        {
            errors.Add($"{SectionName}:{nameof(Parallelism)} must be {SupportedParallelism}, as libsodium computes Argon2id with one lane " +
                $"(hashes stored with more lanes still verify and are rehashed at the next login); it is {Parallelism}.");
        }
        if (SaltLength != SupportedSaltLength)
        {
            errors.Add($"{SectionName}:{nameof(SaltLength)} must be {SupportedSaltLength}, the salt length libsodium's Argon2id takes " +
                $"(hashes stored with other salts still verify and are rehashed at the next login); it is {SaltLength}.");
        }
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", errors));
        }
    }

    private static void CheckRange(List<string> errors, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{SectionName}:{name} must be between {min} and {max}; it is {value}.");
        }
    }
}
