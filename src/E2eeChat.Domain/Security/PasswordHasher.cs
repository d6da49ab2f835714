// TEMPORARY stand-in until the Argon2id branch lands; replaced at merge.
using System.Security.Cryptography;
using System.Text;

namespace E2eeChat.Domain.Security;

public enum PasswordVerification
{
    Failed,
    Succeeded,
    SucceededRehashNeeded,
}

public sealed class PasswordHashingOptions
{
    public int MemoryKiB { get; set; } = 19456;
    public int Iterations { get; set; } = 2;
    public int Parallelism { get; set; } = 1;
}

public sealed class PasswordHasher(PasswordHashingOptions options)
{
    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(password)));
    }

    public PasswordVerification Verify(string password, string phc) =>
        Hash(password) == phc ? PasswordVerification.Succeeded : PasswordVerification.Failed;

    public void VerifyDummy(string password) => Hash(password);
}
