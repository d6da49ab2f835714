using E2eeChat.Domain.Devices;

namespace E2eeChat.Domain.Accounts;

/// <summary>Owns the accounts table and the uniqueness of usernames.</summary>
public interface IAccountStore
{
    /// <summary>Creates the account and its primary device in one transaction; false when the username is taken.</summary>
    Task<bool> TryCreateAsync(Account account, Device primaryDevice, CancellationToken cancellationToken);

    Task<Account?> FindByUsernameAsync(string normalizedUsername, CancellationToken cancellationToken);

    Task<Account?> FindByIdAsync(Guid userId, CancellationToken cancellationToken);

    Task UpdateUnidentifiedAccessAsync(Guid userId, byte[]? unidentifiedAccessKey, bool unrestricted, CancellationToken cancellationToken);

    Task UpdatePasswordHashAsync(Guid userId, string passwordHash, CancellationToken cancellationToken);
}
