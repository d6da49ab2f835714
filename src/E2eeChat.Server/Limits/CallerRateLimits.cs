using System.Globalization;
using E2eeChat.Server.Auth;

namespace E2eeChat.Server.Limits;

/// <summary>
/// The keys of the buckets that count an authenticated caller: its account, its device, or its account and a destination.
/// Controllers and hub methods take their permit here, where the request enters, before anything is read or stored.
/// </summary>
public static class CallerRateLimits
{
    public static ValueTask AcquireForAccountAsync(this IRequestRateLimiter limiter, RateLimitBucket bucket, Caller caller,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(caller);
        return limiter.AcquireAsync(bucket, caller.UserId.ToString(), cancellationToken);
    }

    public static ValueTask AcquireForDeviceAsync(this IRequestRateLimiter limiter, RateLimitBucket bucket, Caller caller,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(caller);
        return limiter.AcquireAsync(bucket, DeviceKey(caller.UserId, caller.DeviceId), cancellationToken);
    }

    /// <summary>
    /// One send, REST or hub, stored or <c>online</c>, to a user or a room (<paramref name="destinationId"/>): a permit of the
    /// sender→destination pair, as Signal-Server's messages limiter, then one of the sender's account. Sends to the sender's
    /// own other devices (sync) take only the account's: every message a multi-device user sends is followed by one.
    /// </summary>
    public static async ValueTask AcquireSendAsync(this IRequestRateLimiter limiter, Caller sender, Guid destinationId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(sender);
        if (destinationId != sender.UserId)
        {
            await limiter.AcquireAsync(RateLimitBucket.MessagesPerPair, $"{sender.UserId}>{destinationId}", cancellationToken)
                .ConfigureAwait(false);
        }
        await limiter.AcquireForAccountAsync(RateLimitBucket.MessagesPerAccount, sender, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A device's part of a key: <c>userId.deviceId</c>.</summary>
    public static string DeviceKey(Guid userId, int deviceId) =>
        string.Create(CultureInfo.InvariantCulture, $"{userId}.{deviceId}");
}
