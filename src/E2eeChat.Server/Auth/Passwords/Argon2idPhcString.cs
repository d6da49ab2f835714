using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace E2eeChat.Server.Auth.Passwords;

/// <summary>
/// The PHC string form written by the Argon2 reference implementation and by
/// libsodium: <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c>, with
/// unpadded standard base64.
/// </summary>
internal sealed record Argon2idPhcString(int MemoryKiB, int Iterations, int Parallelism, byte[] Salt, byte[] Hash)
{
    private const string Prefix = "$argon2id$v=19$";
    // Comfortably above the longest string the limits below allow.
    private const int MaxLength = 256;

    public string Format() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Prefix}m={MemoryKiB},t={Iterations},p={Parallelism}${ToBase64(Salt)}${ToBase64(Hash)}");

    /// <summary>
    /// Accepts only the canonical form, within <see cref="PasswordHashingOptions"/>'
    /// ceilings, so a stored string can never make a verifier throw or run away.
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out Argon2idPhcString? parsed)
    {
        parsed = null;
        if (value is null || value.Length > MaxLength || !value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> rest = value.AsSpan(Prefix.Length);
        if (!TryTakeField(ref rest, out ReadOnlySpan<char> parameters)
            || !TryTakeField(ref rest, out ReadOnlySpan<char> saltText)
            || rest.Contains('$'))
        {
            return false;
        }

        if (!TryTakeNumber(ref parameters, "m=", ',', out int memoryKiB)
            || !TryTakeNumber(ref parameters, "t=", ',', out int iterations)
            || !TryTakeNumber(ref parameters, "p=", '\0', out int parallelism))
        {
            return false;
        }

        bool costsInRange =
            parallelism is >= 1 and <= PasswordHashingOptions.MaxParallelism
            && memoryKiB >= 8 * parallelism && memoryKiB <= PasswordHashingOptions.MaxMemoryKiB
            && iterations is >= 1 and <= PasswordHashingOptions.MaxIterations;
        if (!costsInRange
            || !TryFromBase64(saltText, PasswordHashingOptions.MinStoredSaltLength, PasswordHashingOptions.MaxStoredSaltLength, out byte[]? salt)
            || !TryFromBase64(rest, PasswordHashingOptions.MinHashLength, PasswordHashingOptions.MaxHashLength, out byte[]? hash))
        {
            return false;
        }

        parsed = new Argon2idPhcString(memoryKiB, iterations, parallelism, salt, hash);
        return true;
    }

    private static bool TryTakeField(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> field)
    {
        int end = rest.IndexOf('$');
        if (end <= 0)
        {
            field = default;
            return false;
        }

        field = rest[..end];
        rest = rest[(end + 1)..];
        return true;
    }

    private static bool TryTakeNumber(ref ReadOnlySpan<char> text, string name, char terminator, out int number)
    {
        number = 0;
        if (!text.StartsWith(name, StringComparison.Ordinal))
        {
            return false;
        }

        text = text[name.Length..];
        int end = terminator == '\0' ? text.Length : text.IndexOf(terminator);
        if (end <= 0)
        {
            return false;
        }

        ReadOnlySpan<char> digits = text[..end];
        text = terminator == '\0' ? [] : text[(end + 1)..];
        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        // A leading zero would give one hash two spellings.
        return (digits.Length == 1 || digits[0] != '0')
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    private static bool TryFromBase64(ReadOnlySpan<char> text, int minBytes, int maxBytes, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (text.Length % 4 == 1 || text.Length > ((maxBytes * 4) + 2) / 3)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/')
            {
                return false;
            }
        }

        Span<char> padded = stackalloc char[text.Length + 3];
        text.CopyTo(padded);
        int paddedLength = text.Length;
        while (paddedLength % 4 != 0)
        {
            padded[paddedLength++] = '=';
        }

        Span<byte> decoded = stackalloc byte[maxBytes + 3];
        if (!Convert.TryFromBase64Chars(padded[..paddedLength], decoded, out int written)
            || written < minBytes || written > maxBytes)
        {
            return false;
        }

        bytes = decoded[..written].ToArray();
        // Unused low bits of the last character must be zero, or two strings decode alike.
        return ToBase64(bytes).AsSpan().SequenceEqual(text);
    }

    private static string ToBase64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');
}
