using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>Builds sends the way a client does: one envelope per destination device.</summary>
public static class Messaging
{
    public static object Envelope(int deviceId, int registrationId, string text, int type = 2) => new
    {
        destinationDeviceId = deviceId,
        destinationRegistrationId = registrationId,
        type,
        // Bytes: base64 in JSON (REST and the JSON hub protocol), bin with MessagePack.
        content = Encoding.UTF8.GetBytes(text),
    };

    public static object Send(IEnumerable<object> envelopes, string? messageId = null, bool? online = null, int? ttlSeconds = null) => new
    {
        messages = envelopes.ToArray(),
        timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        messageId,
        online,
        ttlSeconds,
    };

    /// <summary>The devices of a user as the API lists them: (deviceId, registrationId).</summary>
    public static async Task<(int DeviceId, int RegistrationId)[]> DevicesAsync(this ApiClient api, TestDevice device)
    {
        var list = await api.GetAsync("/api/v1/devices", device.AccessToken);
        Assert.Equal(HttpStatusCode.OK, list.Status);
        return list.Body!.AsArray()
            .Select(d => (d!["deviceId"]!.GetValue<int>(), d["registrationId"]!.GetValue<int>())).ToArray();
    }

    /// <summary>Sends <paramref name="text"/> to every device of <paramref name="to"/> (other than the sender's own).</summary>
    public static async Task<ApiResponse> SendTextAsync(this ApiClient api, TestDevice from, TestDevice to, string text,
        string? messageId = null, int? ttlSeconds = null, bool? online = null)
    {
        var devices = await api.DevicesAsync(to);
        var envelopes = devices
            .Where(d => !(from.UserId == to.UserId && d.DeviceId == from.DeviceId))
            .Select(d => Envelope(d.DeviceId, d.RegistrationId, text));
        return await api.PutAsync($"/api/v1/messages/{to.UserId}", Send(envelopes, messageId, online, ttlSeconds), from.AccessToken);
    }

    public static async Task<JsonArray> MailboxAsync(this ApiClient api, TestDevice device, int limit = 100)
    {
        var response = await api.GetAsync($"/api/v1/messages?limit={limit}", device.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Body!["envelopes"]!.AsArray();
    }

    public static string Text(JsonNode? envelope) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(envelope!["content"]!.GetValue<string>()));
}
