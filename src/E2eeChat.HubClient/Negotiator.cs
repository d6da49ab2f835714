using System.Net.Http.Headers;
using System.Text.Json;

namespace E2eeChat.HubClient;

/// <summary>The optional negotiate round trip: POST {hub}/negotiate?negotiateVersion=1, which yields the connection token.</summary>
internal static class Negotiator
{
    // Negotiate is rare (once per start), so one process-wide handler serves every connection that brings none.
    private static readonly Lazy<HttpMessageHandler> s_sharedHandler = new(() => new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    });

    public static async Task<NegotiateResult> NegotiateAsync(Uri hubUrl, string? accessToken,
        HttpMessageHandler? handler, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(handler ?? s_sharedHandler.Value, disposeHandler: false);
        using var request = new HttpRequestMessage(HttpMethod.Post, HubUrls.Negotiate(hubUrl));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"Negotiate at {hubUrl} answered {(int)response.StatusCode} {response.ReasonPhrase}.",
                inner: null, response.StatusCode);
        }
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return Read(document.RootElement, hubUrl);
        }
    }

    private static NegotiateResult Read(JsonElement root, Uri hubUrl)
    {
        if (root.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"Negotiate at {hubUrl} failed: {error.GetString()}");
        }
        if (root.TryGetProperty("url", out _))
        {
            throw new NotSupportedException(
                $"Negotiate at {hubUrl} redirected to another service; this client does not follow redirects.");
        }
        var offersWebSockets = false;
        if (root.TryGetProperty("availableTransports", out var transports))
        {
            foreach (var transport in transports.EnumerateArray())
            {
                offersWebSockets |= transport.TryGetProperty("transport", out var name)
                    && name.ValueEquals("WebSockets");
            }
        }
        if (!offersWebSockets)
        {
            throw new NotSupportedException($"The hub at {hubUrl} does not offer WebSockets.");
        }
        var connectionId = root.GetProperty("connectionId").GetString();
        // Version 1 servers hand out a separate token for the transport; version 0 reuses the id.
        var connectionToken = root.TryGetProperty("connectionToken", out var token) ? token.GetString() : connectionId;
        if (connectionToken is null)
        {
            throw new InvalidDataException($"Negotiate at {hubUrl} returned no connection token.");
        }
        return new NegotiateResult(connectionId, connectionToken);
    }
}

internal sealed record NegotiateResult(string? ConnectionId, string ConnectionToken);
