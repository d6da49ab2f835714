using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Accounts;

/// <summary>Usernames are 3–32 characters of [a-z0-9_.], compared case-insensitively.</summary>
public static class Username
{
    public const int MinLength = 3;
    public const int MaxLength = 32;

    /// <summary>Returns the canonical (lower-case) form, or throws <c>invalid_username</c>.</summary>
    public static string Normalize(string? username)
    {
        if (!TryNormalize(username, out var normalized))
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidUsername,
                $"username must be {MinLength}–{MaxLength} characters of a-z, 0-9, '_' and '.'.");
        }
        return normalized;
    }

    public static bool TryNormalize(string? username, out string normalized)
    {
        normalized = string.Empty;
        if (username is null || username.Length is < MinLength or > MaxLength)
        {
            return false;
        }
        Span<char> buffer = stackalloc char[username.Length];
        for (var i = 0; i < username.Length; i++)
        {
            var c = char.ToLowerInvariant(username[i]);
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.'))
            {
                return false;
            }
            buffer[i] = c;
        }
        normalized = new string(buffer);
        return true;
    }
}
