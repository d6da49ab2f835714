using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace E2eeChat.Server.Tests.Errors;

/// <summary>
/// The API is JSON in UTF-8. Whatever else arrives (another charset, a form, bytes that are not JSON,
/// numbers out of range, a client that accepts only HTML) gets a 4xx ProblemDetails with a code, never a 500.
/// </summary>
public sealed class MalformedRequestTests(SqliteServerFactory factory) : IClassFixture<SqliteServerFactory>
{
    private const string ProblemJson = "application/problem+json";
    private readonly ApiClient _api = factory.Api();

    /// <summary>Path, content type, body (each char one byte, so "\u00ff" is the byte 0xFF), status, code.</summary>
    public static TheoryData<string, string, string, int, string> Bodies => new()
    {
        { "/api/v1/auth/refresh", "application/json; charset=utf-16", """{"refreshToken":"xy"}""", 415, "unsupported_media_type" },
        { "/api/v1/auth/refresh", "application/json; charset=utf-16", "{}", 415, "unsupported_media_type" },
        { "/api/v1/auth/token", "application/json; charset=utf-16le", "{\0}\0", 415, "unsupported_media_type" },
        { "/api/v1/auth/token", "application/json; charset=utf-32", "{}", 415, "unsupported_media_type" },
        { "/api/v1/auth/token", "application/json; charset=iso-8859-1", "{}", 415, "unsupported_media_type" },
        { "/api/v1/auth/token", "text/json; charset=utf-16", "{}", 415, "unsupported_media_type" },
        { "/api/v1/auth/token", "application/x-www-form-urlencoded", "[x=1", 415, "unsupported_media_type" },
        { "/api/v1/auth/token", "application/x-www-form-urlencoded", "username=a&password=b&deviceId=1", 415, "unsupported_media_type" },
        { "/api/v1/devices", "application/x-www-form-urlencoded", "a[b]]=1&[=2", 415, "unsupported_media_type" },
        { "/api/v1/auth/token", "multipart/form-data; boundary=x", "--x\r\nnot a part", 415, "unsupported_media_type" },
        { "/api/v1/auth/token", "multipart/form-data", "garbage", 415, "unsupported_media_type" },
        { "/api/v1/auth/token", "text/plain", "username=x", 415, "unsupported_media_type" },
        { "/api/v1/auth/token", "application/xml", "<token/>", 415, "unsupported_media_type" },
        { "/api/v1/accounts", "application/json", "{\"username\":\"\u00ff\u00fe\"}", 400, "malformed_json" },
        { "/api/v1/accounts", "application/json", "\u00ef\u00bb\u00bf\u00ef\u00bb\u00bf{}", 400, "malformed_json" },
        { "/api/v1/auth/token", "application/json", new string('[', 5000), 400, "malformed_json" },
        { "/api/v1/auth/token", "application/json", """{"deviceId":1e999}""", 400, "malformed_json" },
        { "/api/v1/auth/token", "application/json", """{"deviceId":99999999999999999999999}""", 400, "malformed_json" },
        { "/api/v1/auth/refresh", "application/json", """{"refreshToken":1e999}""", 400, "malformed_json" },
        { "/api/v1/auth/refresh", "application/json", """{"refreshToken":"\ud800"}""", 400, "malformed_json" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_body_that_is_not_utf8_json_gets_415_or_400_with_a_code(string path, string contentType, string body,
        int status, string code)
    {
        using var content = new ByteArrayContent(Encoding.Latin1.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await _api.SendAsync(HttpMethod.Post, path, content, null);

        Assert.True((int)response.Status == status, response.ToString());
        Assert.Equal(ProblemJson, response.ContentType);
        Assert.Equal(code, response.Code);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    [InlineData("image/png, text/*;q=0.5")]
    public async Task A_refusal_is_problem_json_whatever_the_client_accepts(string accept)
    {
        var refused = await SendAsync(HttpMethod.Post, "/api/v1/auth/token", accept,
            """{"username":"nobody_here","password":"wrong password","deviceId":1}""");
        var unknownRoute = await SendAsync(HttpMethod.Get, "/api/v1/nothing-here", accept);
        var noToken = await SendAsync(HttpMethod.Get, "/api/v1/auth/me", accept);

        AssertProblem(refused, HttpStatusCode.Unauthorized, "invalid_credentials");
        AssertProblem(unknownRoute, HttpStatusCode.NotFound, "not_found");
        AssertProblem(noToken, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData("limit=abc")]
    [InlineData("limit=99999999999999999999")]
    [InlineData("limit=-1")]
    [InlineData("limit=1e3")]
    [InlineData("limit=%00")]
    public async Task A_bad_query_value_gets_400_with_a_code(string query)
    {
        var alice = await _api.SignUpAsync();

        var response = await _api.GetAsync($"/api/v1/messages?{query}", alice.AccessToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(ProblemJson, response.ContentType);
        Assert.Equal("invalid_request", response.Code);
    }

    /// <summary>
    /// Every action the server maps, each route value, query and body replaced by garbage, sent signed in and
    /// by a client that accepts only HTML: a 4xx ProblemDetails or a success, never a 500.
    /// </summary>
    [Fact]
    public async Task Every_endpoint_answers_garbage_with_a_4xx_problem_never_a_500()
    {
        var alice = await _api.SignUpAsync();
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (Method: method, Template: e.RoutePattern.RawText!)))
            .Distinct()
            // Logout ends the session the sweep signs in with: last.
            .OrderBy(e => e.Template.Contains("logout", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(endpoints, e => e.Template.Contains("messages", StringComparison.Ordinal));
        string[] routeValues = ["x", "99999999999999999999", "-1", Guid.Empty.ToString(), "%E2%80%AE", "*"];
        string?[] bodies = [null, "", "null", "[]", "\"text\"", "{\"a\":", "{}", "{\"messages\":[null],\"ids\":[null],\"name\":{},\"memberIds\":\"x\",\"timestamp\":1e999}"];
        var failures = new List<string>();

        foreach (var (method, template) in endpoints)
        {
            foreach (var path in Expand(template, routeValues))
            {
                foreach (var body in bodies)
                {
                    var url = $"/{path}?limit=99999999999999999999&access_token=%FF";
                    var response = await SendAsync(new HttpMethod(method), url, "text/html", body, token: alice.AccessToken);
                    var isHub = template.StartsWith("hubs", StringComparison.Ordinal);
                    // A HEAD answer has no body to hold a problem; this server has no TURN relay, which relays says so.
                    var hasBody = method != HttpMethods.Head;
                    var documented = response.Status == HttpStatusCode.ServiceUnavailable && response.Code == "turn_not_configured";
                    if (((int)response.Status >= 500 && !documented)
                        || (!isHub && hasBody && (int)response.Status >= 400 && (response.ContentType != ProblemJson || response.Code is null)))
                    {
                        failures.Add($"{method} {url} body={body ?? "(none)"} → {response}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }

    private static IEnumerable<string> Expand(string template, string[] values)
    {
        var trimmed = template.TrimStart('/');
        if (!trimmed.Contains('{', StringComparison.Ordinal))
        {
            return [trimmed];
        }
        return values.Select(value => Regex.Replace(trimmed, "{[^}]+}", value));
    }

    private async Task<ApiResponse> SendAsync(HttpMethod method, string path, string accept, string? body = null,
        string contentType = "application/json", string? token = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        using var response = await _api.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            json = new JsonObject { ["notJson"] = text.Length > 200 ? text[..200] : text };
        }
        return new ApiResponse(response.StatusCode, json, response.Headers.RetryAfter?.Delta, response.Content.Headers.ContentType?.MediaType);
    }

    private static void AssertProblem(ApiResponse response, HttpStatusCode status, string code)
    {
        Assert.True(response.Status == status, response.ToString());
        Assert.Equal(ProblemJson, response.ContentType);
        Assert.Equal(code, response.Code);
    }
}
