using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace E2eeChat.LoadTest.Api;

/// <summary>The REST calls the tool makes: account and device set-up, rooms, and mailbox fills.</summary>
internal sealed class LoadApiClient(HttpClient http)
{
    public Task<TokenResponse> SignUpAsync(SignUpRequest request, CancellationToken cancellationToken) =>
        SendAsync<TokenResponse>(HttpMethod.Post, "/api/v1/accounts", request, accessToken: null, "sign-up", cancellationToken);

    public Task<TokenResponse> LinkDeviceAsync(LinkDeviceRequest request, CancellationToken cancellationToken) =>
        SendAsync<TokenResponse>(HttpMethod.Post, "/api/v1/devices", request, accessToken: null, "device linking", cancellationToken);

    public Task<RoomCreated> CreateRoomAsync(string accessToken, CreateRoomRequest request, CancellationToken cancellationToken) =>
        SendAsync<RoomCreated>(HttpMethod.Post, "/api/v1/rooms", request, accessToken, "room creation", cancellationToken);

    /// <summary>The invitee joins a room it was invited to (room creation invites its <c>memberIds</c>).</summary>
    public Task AcceptInvitationAsync(string accessToken, Guid roomId, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"/api/v1/rooms/invitations/{roomId}/accept", new { }, accessToken,
            "accepting a room invitation", cancellationToken);

    /// <summary>PUT /api/v1/messages/{userId}: the REST send, used to fill mailboxes of offline devices.</summary>
    public Task SendMessageAsync(string accessToken, Guid destinationUserId, SendRequest request, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Put, $"/api/v1/messages/{destinationUserId}", request, accessToken, "sends",
            cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object body, string? accessToken, string what,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Content = JsonContent.Create(body, body.GetType(), options: LoadJson.Options),
        };
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return (await response.Content.ReadFromJsonAsync<T>(LoadJson.Options, cancellationToken).ConfigureAwait(false))!;
        }
        throw await RefusalAsync(response, what, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ApiException> RefusalAsync(HttpResponseMessage response, string what,
        CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        ProblemBody? problem = null;
        try
        {
            problem = text.Length == 0 ? null : JsonSerializer.Deserialize<ProblemBody>(text, LoadJson.Options);
        }
        catch (JsonException)
        {
            // Not a ProblemDetails body (a proxy's error page, say): the status says enough.
        }
        var status = response.StatusCode;
        var message = status == HttpStatusCode.TooManyRequests
            ? RateLimitHint.For(what)
            : $"The server refused {what}: {(int)status} {problem?.Code ?? status.ToString()}" +
              (problem?.Detail is { } detail ? $" ({detail})" : "");
        return new ApiException(message, status, problem?.Code);
    }
}
