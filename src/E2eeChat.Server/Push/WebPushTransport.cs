using System.Buffers.Text;
using E2eeChat.Domain.Push;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;

namespace E2eeChat.Server.Push;

/// <summary>
/// Web Push (RFC 8030) with VAPID (RFC 8292) through Lib.Net.Http.WebPush: the payload is <c>{}</c>, encrypted
/// (aes128gcm, RFC 8291) to the subscription's keys, so the push service learns only that the device has something.
/// </summary>
internal sealed class WebPushTransport(HttpClient http, VapidKeys vapid, PushOptions options, TimeProvider clock)
{
    /// <summary>Content-free: no sender, no content, no message id. The device connects and reads its mailbox.</summary>
    public const string Payload = "{}";

    /// <summary>One topic for every wake-up: a push service holding an undelivered one replaces it instead of queueing more.</summary>
    private const string Topic = "wake";

    private readonly PushServiceClient _client = new(http) { AutoRetryAfter = false };

    public async Task<PushAttempt> SendAsync(PushRegistration registration, CancellationToken cancellationToken)
    {
        var subscription = new PushSubscription { Endpoint = registration.Endpoint };
        subscription.SetKey(PushEncryptionKeyName.P256DH, Base64Url.EncodeToString(registration.P256dh));
        subscription.SetKey(PushEncryptionKeyName.Auth, Base64Url.EncodeToString(registration.Auth));
        var message = new PushMessage(Payload)
        {
            Topic = Topic,
            Urgency = PushMessageUrgency.High,
            TimeToLive = (int)options.WakeUpTimeToLive.TotalSeconds,
        };
        try
        {
            // A signer per request: the library's signer is not documented as safe to share between threads.
            await _client.RequestPushMessageDeliveryAsync(subscription, message, vapid.Authentication(),
                VapidAuthenticationScheme.Vapid, cancellationToken).ConfigureAwait(false);
            return PushAttempt.Delivered;
        }
        catch (PushServiceClientException exception)
        {
            return PushAttempt.FromStatus(exception.StatusCode, exception.Headers?.RetryAfter, clock.GetUtcNow());
        }
        catch (Exception exception) when (exception is HttpRequestException
                                              || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return PushAttempt.Unreachable;
        }
    }
}
