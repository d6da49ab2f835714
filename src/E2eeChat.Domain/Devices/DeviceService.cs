using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Common;
using E2eeChat.Domain.Errors;
using E2eeChat.Domain.Sessions;

namespace E2eeChat.Domain.Devices;

/// <summary>Lists, links and removes devices, enforcing the cap and who may remove whom.</summary>
public sealed class DeviceService(
    IDeviceStore devices,
    ILinkCodeStore linkCodes,
    AccountService accounts,
    SessionService sessions,
    DeviceOptions options,
    TimeProvider clock)
{
    private const int LinkCodeLength = 16;

    public Task<IReadOnlyList<Device>> ListAsync(Guid userId, CancellationToken cancellationToken) =>
        devices.ListAsync(userId, cancellationToken);

    /// <summary>Only the primary adds devices by code, as in Signal: a linked device cannot enrol more.</summary>
    public async Task<LinkCode> CreateLinkCodeAsync(Guid userId, int callerDeviceId, CancellationToken cancellationToken)
    {
        if (callerDeviceId != DeviceRules.PrimaryDeviceId)
        {
            throw DomainException.Forbidden(ErrorCodes.NotPrimaryDevice, "Only the primary device can create link codes.");
        }
        var code = SecretToken.NewTypeable(LinkCodeLength);
        var expiresAt = clock.GetUtcNow() + options.LinkCodeLifetime;
        await linkCodes.AddAsync(SecretToken.Hash(code), userId, expiresAt, cancellationToken).ConfigureAwait(false);
        return new LinkCode(code, expiresAt);
    }

    public async Task<Device> LinkAsync(LinkDevice request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = DeviceRules.ValidateName(request.Name);
        var registrationId = DeviceRules.ValidateRegistrationId(request.RegistrationId);

        Guid userId;
        if (request.LinkCode is not null)
        {
            if (request.LinkCode.Length != LinkCodeLength)
            {
                throw InvalidLinkCode();
            }
            userId = await linkCodes.ConsumeAsync(SecretToken.Hash(request.LinkCode.ToUpperInvariant()), clock.GetUtcNow(),
                cancellationToken).ConfigureAwait(false) ?? throw InvalidLinkCode();
        }
        else if (request.Username is not null || request.Password is not null)
        {
            var account = await accounts.AuthenticateAsync(request.Username, request.Password, cancellationToken)
                .ConfigureAwait(false);
            userId = account.UserId;
        }
        else
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidRequest, "Give either linkCode or username and password.");
        }

        return await devices.TryAddAsync(userId, name, registrationId, clock.GetUtcNow(), options.MaxDevices,
                cancellationToken).ConfigureAwait(false)
            ?? throw DomainException.Conflict(ErrorCodes.TooManyDevices,
                $"The account already has the maximum of {options.MaxDevices} devices.");
    }

    /// <summary>The primary may remove any other device; any device may remove itself.</summary>
    public async Task RemoveAsync(Guid userId, int callerDeviceId, int targetDeviceId, CancellationToken cancellationToken)
    {
        if (targetDeviceId == DeviceRules.PrimaryDeviceId && callerDeviceId != DeviceRules.PrimaryDeviceId)
        {
            throw DomainException.Forbidden(ErrorCodes.NotPrimaryDevice, "Only the primary device can remove other devices.");
        }
        if (targetDeviceId != callerDeviceId && callerDeviceId != DeviceRules.PrimaryDeviceId)
        {
            throw DomainException.Forbidden(ErrorCodes.NotPrimaryDevice, "Only the primary device can remove other devices.");
        }
        if (targetDeviceId == DeviceRules.PrimaryDeviceId)
        {
            throw DomainException.Conflict(ErrorCodes.InvalidDeviceId,
                "The primary device cannot be removed; it is the account itself.");
        }
        if (!await devices.RemoveAsync(userId, targetDeviceId, cancellationToken).ConfigureAwait(false))
        {
            throw DomainException.NotFound(ErrorCodes.DeviceNotFound, $"Device {targetDeviceId} does not exist.");
        }
        // Sessions went with the device row; live connections must hear it too.
        await sessions.RevokeDeviceAsync(userId, targetDeviceId, "device_removed", cancellationToken).ConfigureAwait(false);
    }

    private static DomainException InvalidLinkCode() =>
        DomainException.BadRequest(ErrorCodes.InvalidLinkCode, "The link code is unknown, used or expired.");
}
