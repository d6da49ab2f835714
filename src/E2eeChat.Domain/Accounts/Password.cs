using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Accounts;

/// <summary>Password length bounds; the upper one keeps hashing cost bounded.</summary>
public static class Password
{
    public const int MinLength = 8;
    public const int MaxLength = 256;

    public static string Validate(string? password)
    {
        if (password is null || password.Length is < MinLength or > MaxLength)
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidPassword,
                $"password must be {MinLength}–{MaxLength} characters.");
        }
        return password;
    }
}
