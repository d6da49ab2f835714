namespace E2eeChat.Domain.Accounts;

/// <summary>
/// Password hashing as the account rules need it. The host supplies the implementation, so the
/// domain holds no cryptography; stored hashes are opaque strings here.
/// </summary>
public interface IPasswordHasher
{
    /// <summary>A new stored hash of <paramref name="password"/>, at the configured cost, freshly salted.</summary>
    string Hash(string password);

    /// <summary>
    /// Checks <paramref name="password"/> against a stored hash. A malformed or unsupported stored hash
    /// is <see cref="PasswordVerification.Failed"/>; this never throws for it.
    /// </summary>
    PasswordVerification Verify(string password, string? storedHash);

    /// <summary>
    /// Spends the time of a real verification at the configured cost. Called for unknown users, so that
    /// the time a login takes does not tell which usernames exist.
    /// </summary>
    void VerifyDummy(string password);
}
