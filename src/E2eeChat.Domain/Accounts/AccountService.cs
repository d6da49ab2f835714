using E2eeChat.Domain.Devices;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Accounts;

/// <summary>Sign-up and password authentication.</summary>
public sealed class AccountService(IAccountStore accounts, IPasswordHasher passwordHasher, TimeProvider clock)
{
    public async Task<(Account Account, Device PrimaryDevice)> SignUpAsync(SignUp request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var username = Username.Normalize(request.Username);
        var password = Password.Validate(request.Password);
        var identityKey = IdentityKey.Decode(request.IdentityKey);
        var registrationId = DeviceRules.ValidateRegistrationId(request.RegistrationId);
        var deviceName = DeviceRules.ValidateName(request.DeviceName);
        var accessKey = UnidentifiedAccess.DecodeKey(request.UnidentifiedAccessKey);

        var now = clock.GetUtcNow();
        var account = new Account(Guid.NewGuid(), username, identityKey, passwordHasher.Hash(password), now, accessKey,
            request.UnrestrictedUnidentifiedAccess ?? false);
        var device = new Device(account.UserId, DeviceRules.PrimaryDeviceId, deviceName, registrationId, now, now);
        if (!await accounts.TryCreateAsync(account, device, cancellationToken).ConfigureAwait(false))
        {
            throw DomainException.Conflict(ErrorCodes.UsernameTaken, $"The username '{username}' is taken.");
        }
        return (account, device);
    }

    /// <summary>
    /// Checks a username and password. Unknown users and wrong passwords cost the same
    /// hashing work and fail with the same error, so responses do not reveal who exists.
    /// </summary>
    public async Task<Account> AuthenticateAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        password ??= string.Empty;
        Account? account = null;
        if (Username.TryNormalize(username, out var normalized) && password.Length <= Password.MaxLength)
        {
            account = await accounts.FindByUsernameAsync(normalized, cancellationToken).ConfigureAwait(false);
        }
        if (account is null)
        {
            passwordHasher.VerifyDummy(password.Length <= Password.MaxLength ? password : string.Empty);
            throw InvalidCredentials();
        }

        var verification = passwordHasher.Verify(password, account.PasswordHash);
        if (verification == PasswordVerification.Failed)
        {
            throw InvalidCredentials();
        }
        if (verification == PasswordVerification.SucceededRehashNeeded)
        {
            await accounts.UpdatePasswordHashAsync(account.UserId, passwordHasher.Hash(password), cancellationToken)
                .ConfigureAwait(false);
        }
        return account;
    }

    /// <summary>Sets (or, with a null key, removes) the account's unidentified access key and its unrestricted flag.</summary>
    public async Task SetUnidentifiedAccessAsync(Guid userId, string? unidentifiedAccessKey, bool? unrestricted,
        CancellationToken cancellationToken)
    {
        var key = UnidentifiedAccess.DecodeKey(unidentifiedAccessKey);
        await accounts.UpdateUnidentifiedAccessAsync(userId, key, unrestricted ?? false, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Account> GetAsync(string? userIdOrUsername, CancellationToken cancellationToken)
    {
        Account? account = null;
        if (Guid.TryParse(userIdOrUsername, out var userId))
        {
            account = await accounts.FindByIdAsync(userId, cancellationToken).ConfigureAwait(false);
        }
        else if (Username.TryNormalize(userIdOrUsername, out var normalized))
        {
            account = await accounts.FindByUsernameAsync(normalized, cancellationToken).ConfigureAwait(false);
        }
        return account ?? throw DomainException.NotFound(ErrorCodes.UserNotFound, "No such user.");
    }

    private static DomainException InvalidCredentials() =>
        DomainException.Unauthorized(ErrorCodes.InvalidCredentials, "The username or password is wrong.");
}
