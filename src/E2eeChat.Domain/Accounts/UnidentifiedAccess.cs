using System.Security.Cryptography;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Accounts;

/// <summary>
/// Who may deliver sealed-sender messages to an account without signing in: whoever presents its unidentified access key
/// (or, for several recipients at once, the XOR of theirs), as Signal-Server decides it. Every check does the same work
/// whether the account exists, has a key or is unrestricted, so neither the answer nor its timing says which.
/// </summary>
public static class UnidentifiedAccess
{
    public const int KeyLength = 16;

    // Compared against when there is no key to compare with, so that the work is the same.
    private static readonly byte[] DummyKey = RandomNumberGenerator.GetBytes(KeyLength);

    /// <summary>Decodes a key from a request body (null stays null: no key); 400 unless it is base64 of exactly 16 bytes.</summary>
    public static byte[]? DecodeKey(string? base64)
    {
        if (base64 is null)
        {
            return null;
        }
        var buffer = new byte[(base64.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(base64, buffer, out var written) || written != KeyLength)
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidUnidentifiedAccessKey,
                $"unidentifiedAccessKey must be base64 of exactly {KeyLength} bytes.");
        }
        return buffer.AsSpan(0, KeyLength).ToArray();
    }

    /// <summary>
    /// Throws the one 401 of every refusal unless <paramref name="presented"/> is <paramref name="account"/>'s key, or the
    /// account has unrestricted access (then any well-formed key does, as in Signal-Server). A null account is unknown.
    /// </summary>
    public static void Check(Account? account, string? presented)
    {
        Span<byte> given = stackalloc byte[KeyLength];
        var readable = TryDecodeHeader(presented, given);
        var expected = account?.UnidentifiedAccessKey is { Length: KeyLength } own ? own : DummyKey;
        var equal = CryptographicOperations.FixedTimeEquals(expected, given);
        var allowed = account is not null && (account.UnrestrictedUnidentifiedAccess || (equal && expected != DummyKey));
        if (!(readable && allowed))
        {
            throw Denied();
        }
    }

    /// <summary>
    /// Throws the one 401 of every refusal unless <paramref name="presented"/> is the XOR of the keys of every recipient
    /// without unrestricted access (Signal-Server's combined key: unrestricted recipients contribute nothing, so when all
    /// are unrestricted it is 16 zero bytes). A null entry is an unknown recipient; it fails like a recipient without a key.
    /// </summary>
    public static void CheckCombined(IReadOnlyList<Account?> accounts, string? presented)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        Span<byte> given = stackalloc byte[KeyLength];
        var readable = TryDecodeHeader(presented, given);
        Span<byte> combined = stackalloc byte[KeyLength];
        combined.Clear();
        var allKnown = true;
        foreach (var account in accounts)
        {
            if (account is { UnrestrictedUnidentifiedAccess: true })
            {
                continue;
            }
            var key = account?.UnidentifiedAccessKey is { Length: KeyLength } own ? own : DummyKey;
            allKnown &= key != DummyKey;
            for (var i = 0; i < KeyLength; i++)
            {
                combined[i] ^= key[i];
            }
        }
        var equal = CryptographicOperations.FixedTimeEquals(combined, given);
        if (!(readable && allKnown && equal))
        {
            throw Denied();
        }
    }

    public static DomainException Denied() => DomainException.Unauthorized(ErrorCodes.UnidentifiedAccessDenied,
        "Unidentified access was denied: the access key does not match, or no such recipient accepts it.");

    private static bool TryDecodeHeader(string? presented, Span<byte> key)
    {
        key.Clear();
        Span<byte> buffer = stackalloc byte[KeyLength + 3];
        return presented is { Length: <= 32 }
               && Convert.TryFromBase64String(presented, buffer, out var written) && written == KeyLength
               && buffer[..KeyLength].TryCopyTo(key);
    }
}
