using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Xunit;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>The tus 1.0 requests of the attachment API, written out as a client sends them.</summary>
public static class TusCalls
{
    public const string AttachmentsPath = "/api/v1/attachments";

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token, bool tus = true)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (tus)
        {
            request.Headers.Add("Tus-Resumable", "1.0.0");
        }
        return request;
    }

    public static Task<HttpResponseMessage> CreateAsync(this HttpClient http, string token, long length)
    {
        var request = Request(HttpMethod.Post, AttachmentsPath, token);
        request.Headers.Add("Upload-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return http.SendAsync(request);
    }

    /// <summary>Creates an upload and returns its Location.</summary>
    public static async Task<string> CreateUploadAsync(this HttpClient http, string token, long length)
    {
        using var response = await http.CreateAsync(token, length);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    public static Task<HttpResponseMessage> PatchAsync(this HttpClient http, string location, string token, long offset, byte[] bytes,
        string contentType = "application/offset+octet-stream")
    {
        var request = Request(HttpMethod.Patch, location, token);
        request.Headers.Add("Upload-Offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> HeadAsync(this HttpClient http, string location, string token) =>
        http.SendAsync(Request(HttpMethod.Head, location, token));

    public static Task<HttpResponseMessage> DownloadAsync(this HttpClient http, string location, string token, string? range = null)
    {
        var request = Request(HttpMethod.Get, location, token, tus: false);
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }
        return http.SendAsync(request);
    }

    /// <summary>Creates an upload and sends all of <paramref name="bytes"/> in one PATCH; returns its Location.</summary>
    public static async Task<string> UploadAsync(this HttpClient http, string token, byte[] bytes)
    {
        var location = await http.CreateUploadAsync(token, bytes.Length);
        using var patch = await http.PatchAsync(location, token, 0, bytes);
        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        return location;
    }

    public static long Offset(this HttpResponseMessage response) =>
        long.Parse(response.Headers.GetValues("Upload-Offset").Single(), System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<string?> CodeAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text)?["code"]?.GetValue<string>();
    }
}
