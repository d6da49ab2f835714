namespace E2eeChat.Domain.Security;

/// <summary>
/// Argon2id cost for new password hashes. The defaults are OWASP's first
/// recommendation (19 MiB, 2 passes, 1 lane).
/// </summary>
public sealed class PasswordHashingOptions
{
    // Below 8 MiB a GPU can try passwords cheaply whatever the pass count.
    public const int MinMemoryKiB = 8192;
    // Ceilings bound what a stored hash may demand of a verifier, so they apply to both.
    public const int MaxMemoryKiB = 1024 * 1024;
    public const int MaxIterations = 32;
    public const int MaxParallelism = 64;
    public const int MinSaltLength = 16;
    public const int MaxSaltLength = 64;
    public const int MinHashLength = 16;
    public const int MaxHashLength = 64;

    public int MemoryKiB { get; set; } = 19456;

    public int Iterations { get; set; } = 2;

    public int Parallelism { get; set; } = 1;

    public int SaltLength { get; set; } = 16;

    public int HashLength { get; set; } = 32;

    /// <summary>Every problem with these values, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        CheckRange(errors, nameof(MemoryKiB), MemoryKiB, MinMemoryKiB, MaxMemoryKiB);
        CheckRange(errors, nameof(Iterations), Iterations, 1, MaxIterations);
        CheckRange(errors, nameof(Parallelism), Parallelism, 1, MaxParallelism);
        CheckRange(errors, nameof(SaltLength), SaltLength, MinSaltLength, MaxSaltLength);
        CheckRange(errors, nameof(HashLength), HashLength, MinHashLength, MaxHashLength);
        return errors;
    }

    private static void CheckRange(List<string> errors, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"PasswordHashing:{name} must be between {min} and {max}; it is {value}.");
        }
    }
}
