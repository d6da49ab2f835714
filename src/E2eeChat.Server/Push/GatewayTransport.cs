using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using E2eeChat.Domain.Push;

namespace E2eeChat.Server.Push;

/// <summary>
/// A push gateway as in the Matrix push gateway API (<c>/_matrix/push/v1/notify</c>): a POST of
/// <c>{"notification":{"prio":"high","devices":[{"app_id":…,"pushkey":…}]}}</c> with nothing about the message, and
/// an answer whose <c>rejected</c> list names push keys the gateway will never deliver to again.
/// </summary>
internal sealed class GatewayTransport(HttpClient http, TimeProvider clock)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<PushAttempt> SendAsync(PushRegistration registration, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new GatewayNotification(new GatewayNotificationBody("high", [new GatewayDevice(registration.AppId!, registration.PushKey!)])),
            PushJson.Default.GatewayNotification);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        try
        {
            using var response = await http.PostAsync(registration.Endpoint, content, cancellationToken).ConfigureAwait(false);
            var attempt = PushAttempt.FromStatus(response.StatusCode, response.Headers.RetryAfter, clock.GetUtcNow());
            if (attempt.Outcome == PushOutcome.Delivered && await RejectedAsync(response, registration.PushKey!, cancellationToken)
                    .ConfigureAwait(false))
            {
                return attempt with { Outcome = PushOutcome.Gone };
            }
            return attempt;
        }
        catch (Exception exception) when (exception is HttpRequestException
                                              || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return PushAttempt.Unreachable;
        }
    }

    private static async Task<bool> RejectedAsync(HttpResponseMessage response, string pushKey, CancellationToken cancellationToken)
    {
        try
        {
            var answer = JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false),
                PushJson.Default.GatewayAnswer);
            return answer?.Rejected?.Contains(pushKey) == true;
        }
        catch (JsonException)
        {
            // A gateway that accepted the notification and answered something else: delivered all the same.
            return false;
        }
    }
}

internal sealed record GatewayNotification([property: JsonPropertyName("notification")] GatewayNotificationBody Notification);

internal sealed record GatewayNotificationBody(
    [property: JsonPropertyName("prio")] string Prio,
    [property: JsonPropertyName("devices")] IReadOnlyList<GatewayDevice> Devices);

internal sealed record GatewayDevice(
    [property: JsonPropertyName("app_id")] string AppId,
    [property: JsonPropertyName("pushkey")] string PushKey);

internal sealed record GatewayAnswer([property: JsonPropertyName("rejected")] IReadOnlyList<string>? Rejected);

[JsonSerializable(typeof(GatewayNotification))]
[JsonSerializable(typeof(GatewayAnswer))]
internal sealed partial class PushJson : JsonSerializerContext;
