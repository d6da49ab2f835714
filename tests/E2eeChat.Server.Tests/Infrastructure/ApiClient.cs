using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>Speaks the v1 API as a client would: JSON in, status and JSON out.</summary>
public sealed class ApiClient(HttpClient http) : IDisposable
{
    public HttpClient Http => http;

    public Task<ApiResponse> PostAsync(string path, object? body = null, string? token = null) =>
        SendAsync(HttpMethod.Post, path, body, token);

    public Task<ApiResponse> PutAsync(string path, object? body = null, string? token = null) =>
        SendAsync(HttpMethod.Put, path, body, token);

    public Task<ApiResponse> GetAsync(string path, string? token = null) => SendAsync(HttpMethod.Get, path, null, token);

    public Task<ApiResponse> DeleteAsync(string path, string? token = null) => SendAsync(HttpMethod.Delete, path, null, token);

    /// <summary>Sends raw text as the JSON body, for malformed-input tests.</summary>
    public Task<ApiResponse> PostRawAsync(string path, string rawJson, string? token = null) =>
        SendAsync(HttpMethod.Post, path, new StringContent(rawJson, Encoding.UTF8, "application/json"), token);

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, object? body, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Content = body switch
        {
            null => null,
            HttpContent content => content,
            _ => JsonContent.Create(body),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text),
            response.Headers.RetryAfter?.Delta, response.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => http.Dispose();
}

public sealed record ApiResponse(HttpStatusCode Status, JsonNode? Body, TimeSpan? RetryAfter, string? ContentType)
{
    public string? Code => Body?["code"]?.GetValue<string>();

    public string Text(string property) => Body![property]!.GetValue<string>();

    public int Int(string property) => Body![property]!.GetValue<int>();

    public override string ToString() => $"{(int)Status} {Body?.ToJsonString(new JsonSerializerOptions { WriteIndented = false })}";
}
