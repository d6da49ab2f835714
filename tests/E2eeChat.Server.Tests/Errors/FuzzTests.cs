using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace E2eeChat.Server.Tests.Errors;

/// <summary>
/// A server of its own, so that its error log holds only what the fuzzing caused; with TURN settings (no coturn needs to
/// listen for credentials to be signed), so that every endpoint does its work.
/// </summary>
public sealed class FuzzServerFactory : LogCapturingServerFactory
{
    public FuzzServerFactory()
    {
        Settings["Calling:TurnSecret"] = "fuzz-secret-of-sixteen-characters";
        Settings["Calling:TurnUrls"] = "turn:127.0.0.1:3478";
    }
}

/// <summary>
/// Seeded random requests to every REST endpoint the server maps and every hub method: wrong types, encodings and
/// content types, oversize and deeply nested bodies, invalid base64 and ids, odd headers and tokens. Nothing may
/// answer 5xx or fail a hub call unexpectedly, nothing may reach the error log, and the server must be ready after.
/// A failure names its seed; <c>E2EECHAT_FUZZ_SEED=&lt;seed&gt;</c> sends the same requests again.
/// </summary>
public sealed class FuzzTests(FuzzServerFactory factory, ITestOutputHelper output) : IClassFixture<FuzzServerFactory>
{
    private const int HttpRequests = 2500;
    private const int HubCalls = 600;
    private const string SeedVariable = "E2EECHAT_FUZZ_SEED";
    private const int OversizeBytes = 2 * 1024 * 1024;

    private static readonly string[] FieldNames =
    [
        "username", "password", "identityKey", "registrationId", "deviceName", "deviceId", "refreshToken", "linkCode", "name",
        "memberIds", "userId", "role", "messages", "timestamp", "messageId", "online", "ttlSeconds", "ids", "digest",
        "signedPreKey", "pqLastResortPreKey", "preKeys", "pqPreKeys", "keyId", "publicKey", "signature", "content", "type",
        "destinationDeviceId", "destinationRegistrationId", "destinationUserId",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json", "application/json", "application/json; charset=utf-8",
        "application/json; charset=utf-16", "text/json; charset=latin1", "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/offset+octet-stream", "application/xml", "garbage", "application/json; =;",
    ];

    private static readonly string[] HubMethods = ["Send", "SendToRoom", "Ack", "MarkRead", "Typing", "NoSuchMethod", "OnConnectedAsync"];

    [Fact]
    public async Task Seeded_random_requests_to_every_endpoint_and_hub_method_never_fail_the_server()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), CultureInfo.InvariantCulture, out var chosen)
            ? chosen
            : Random.Shared.Next();
        output.WriteLine($"Fuzz seed {seed} ({SeedVariable}={seed} repeats it)");
        var random = new Random(seed);
        using var api = factory.Api();
        var alice = await api.SignUpAsync();
        var bob = await api.SignUpAsync();
        var roomId = await api.CreateRoomAsync(alice, bob);
        var ids = new Ids(alice, bob, roomId);
        factory.Logs.Clear();
        var failures = new List<string>();

        await FuzzHttpAsync(random, ids, failures);
        await FuzzHubAsync(random, ids, failures);

        var ready = await api.GetAsync("/health/ready");
        var me = await api.GetAsync("/api/v1/auth/me", bob.AccessToken);
        Assert.True(failures.Count == 0,
            $"Fuzz seed {seed} ({SeedVariable}={seed} repeats it): {failures.Count} failures{Environment.NewLine}" +
            string.Join(Environment.NewLine, failures.Take(20)));
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal(HttpStatusCode.OK, me.Status);
        factory.AssertNoErrors();
    }

    private async Task FuzzHttpAsync(Random random, Ids ids, List<string> failures)
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (Method: method, Template: e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct()
            .ToList();
        Assert.Contains(endpoints, e => e.Template.Contains("rooms", StringComparison.Ordinal));
        using var http = new HttpClient { BaseAddress = factory.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < HttpRequests; i++)
        {
            var (method, template) = endpoints[random.Next(endpoints.Count)];
            using var request = NewRequest(random, ids, method, template);
            var bodyLength = request.Content is null ? 0 : (await request.Content.ReadAsByteArrayAsync()).Length;
            var described = $"#{i} {request.Method} {Truncate(request.RequestUri!.ToString())} {request.Content?.Headers.ContentType} ({bodyLength} bytes)";
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request);
            }
            catch (HttpRequestException exception)
            {
                // Kestrel answers a body beyond its limits without reading it and then closes the connection, which the
                // client may see before the answer. Any other request must be answered, and the server must live on.
                if (bodyLength <= OversizeBytes || !await IsLiveAsync(http))
                {
                    failures.Add($"{described} → no answer: {exception.InnerException?.Message ?? exception.Message}");
                }
                continue;
            }
            using var answered = response;
            var status = (int)response.StatusCode;
            var contentType = response.Content.Headers.ContentType?.MediaType;
            var body = await response.Content.ReadAsStringAsync();
            // Kestrel itself refuses a malformed request line (a NUL in the path, say) with a bare 400 before any middleware runs.
            var rejectedByKestrel = status == 400 && body.Length == 0;
            var problemExpected = status >= 400 && request.Method != HttpMethod.Head && !rejectedByKestrel
                && !template.StartsWith("hubs", StringComparison.Ordinal);
            if (status >= 500 || (problemExpected && contentType != "application/problem+json"))
            {
                failures.Add($"{described} → {status} {contentType} {Truncate(body)}");
            }
        }
    }

    private static async Task<bool> IsLiveAsync(HttpClient http)
    {
        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        return live.StatusCode == HttpStatusCode.OK;
    }

    private async Task FuzzHubAsync(Random random, Ids ids, List<string> failures)
    {
        var hub = await HubDevice.ConnectAsync(factory.BaseAddress, ids.Alice);
        try
        {
            for (var i = 0; i < HubCalls; i++)
            {
                var method = HubMethods[random.Next(HubMethods.Length)];
                var arguments = Enumerable.Range(0, random.Next(4)).Select(_ => HubArgument(random, ids)).ToArray();
                try
                {
                    await hub.Connection.InvokeCoreAsync(method, typeof(object), arguments);
                }
                catch (HubException refused) when (!refused.Message.StartsWith("An unexpected error occurred", StringComparison.Ordinal)
                    || refused.Message.Contains(" HubException: ", StringComparison.Ordinal))
                {
                    // A refusal with its code ("… HubException: code: detail"), or SignalR's own answer to arguments that do
                    // not bind ("Failed to invoke …"): the caller's mistake. An exception the server did not expect
                    // reaches the client as a bare "An unexpected error occurred invoking … on the server."
                }
                catch (Exception exception)
                {
                    failures.Add($"hub #{i} {method}({arguments.Length} arguments) → {exception.GetType().Name}: {Truncate(exception.Message)}");
                    await hub.DisposeAsync();
                    hub = await HubDevice.ConnectAsync(factory.BaseAddress, ids.Alice);
                    continue;
                }
                if (hub.Connection.State != HubConnectionState.Connected)
                {
                    failures.Add($"hub #{i} {method}({arguments.Length} arguments) → the connection closed");
                    await hub.DisposeAsync();
                    hub = await HubDevice.ConnectAsync(factory.BaseAddress, ids.Alice);
                }
            }
        }
        finally
        {
            await hub.DisposeAsync();
        }
    }

    private static HttpRequestMessage NewRequest(Random random, Ids ids, string method, string template)
    {
        var path = Regex.Replace(template, "{[^}]+}", _ => Uri.EscapeDataString(RouteValue(random, ids)));
        var query = random.Next(4) switch
        {
            0 => "",
            1 => $"?limit={Uri.EscapeDataString(Scalar(random, ids))}",
            2 => $"?id={Uri.EscapeDataString(RouteValue(random, ids))}&access_token=%FF",
            _ => $"?{Uri.EscapeDataString(Pick(random, FieldNames))}={Uri.EscapeDataString(Scalar(random, ids))}",
        };
        var request = new HttpRequestMessage(new HttpMethod(method), $"/{path}{query}");
        // A connection of its own: a request that Kestrel ends by closing the connection cannot take the next one down.
        request.Headers.ConnectionClose = true;
        switch (random.Next(10))
        {
            case 0:
                break;
            case 1:
                request.Headers.TryAddWithoutValidation("Authorization", Pick(random, ["Bearer", "Bearer x.y.z", "Basic YTpi", "Bearer " + ids.Alice.RefreshToken]));
                break;
            default:
                // Never the sweep's own logout: the session has to last to the end.
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                    template.EndsWith("logout", StringComparison.Ordinal) ? "not-a-token" : ids.Alice.AccessToken);
                break;
        }
        if (random.Next(4) == 0)
        {
            request.Headers.TryAddWithoutValidation("Accept", Pick(random, ["text/html", "application/xml", "*/*;q=x", "application/json"]));
        }
        if (template.StartsWith("api/v1/attachments", StringComparison.Ordinal) || random.Next(20) == 0)
        {
            AddTusHeaders(random, request);
        }
        if (random.Next(8) != 0)
        {
            request.Content = new ByteArrayContent(Body(random, ids));
            if (random.Next(10) != 0)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", Pick(random, ContentTypes));
            }
        }
        return request;
    }

    private static void AddTusHeaders(Random random, HttpRequestMessage request)
    {
        string[] numbers = ["0", "1", "-1", "x", "99999999999999999999", "104857601", "1e3", ""];
        request.Headers.TryAddWithoutValidation("Tus-Resumable", Pick(random, ["1.0.0", "1.0.0", "0.2.2", "", "1.0.0,1.0.0"]));
        if (random.Next(2) == 0)
        {
            request.Headers.TryAddWithoutValidation("Upload-Length", Pick(random, numbers));
        }
        if (random.Next(2) == 0)
        {
            request.Headers.TryAddWithoutValidation("Upload-Offset", Pick(random, numbers));
        }
        if (random.Next(3) == 0)
        {
            request.Headers.TryAddWithoutValidation("Upload-Metadata", Pick(random, ["filename ZmlsZQ==", "a !!!", ",,,", "x"]));
        }
        if (random.Next(4) == 0)
        {
            request.Headers.TryAddWithoutValidation("X-HTTP-Method-Override", Pick(random, ["PATCH", "DELETE", "GET", "BREW", ""]));
        }
    }

    private static byte[] Body(Random random, Ids ids) => random.Next(40) switch
    {
        0 => Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)),
        1 => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 3000))),
        // Beyond every request size limit the server has (2 MiB for sends).
        2 => Encoding.UTF8.GetBytes($"{{\"messages\":[{{\"content\":\"{new string('A', 3 * 1024 * 1024)}\"}}]}}"),
        3 => RandomBytes(random, random.Next(1, 512)),
        4 => [0xEF, 0xBB, 0xBF, 0xC3, 0x28, 0x7B, 0x7D],
        5 => Encoding.Unicode.GetBytes("{\"username\":\"x\"}"),
        6 => Encoding.UTF8.GetBytes("username=a&password=b&[x=1"),
        7 => [],
        _ => Encoding.UTF8.GetBytes(Json(random, ids, depth: 0, preferObject: true)),
    };

    private static string Json(Random random, Ids ids, int depth, bool preferObject = false)
    {
        var kind = preferObject ? 0 : depth > 3 ? 1 : random.Next(6);
        switch (kind)
        {
            case 0:
                var fields = Enumerable.Range(0, random.Next(1, 7))
                    .Select(_ => $"\"{Pick(random, FieldNames)}\":{Json(random, ids, depth + 1)}");
                return "{" + string.Join(",", fields) + "}";
            case 3:
            case 4:
                return "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(_ => Json(random, ids, depth + 1))) + "]";
            case 5:
                return "[" + Json(random, ids, depth + 1, preferObject: true) + "]";
            default:
                return random.Next(2) == 0 ? $"\"{Scalar(random, ids)}\"" : Number(random);
        }
    }

    private static string Number(Random random) =>
        Pick(random, ["0", "-1", "1", "2147483648", "-2147483649", "1e999", "1.5", "null", "true", "false", "9223372036854775808", "1"]);

    private static string Scalar(Random random, Ids ids) => random.Next(14) switch
    {
        0 => "",
        1 => "!!!not base64!!!",
        2 => Convert.ToBase64String(RandomBytes(random, random.Next(1, 64))),
        3 => Convert.ToBase64String(RandomBytes(random, 33)),
        4 => "QUJD=",
        5 => new string('x', random.Next(100, 5000)),
        6 => "\u202Ename\u200B",
        7 => ids.Bob.UserId.ToString(),
        8 => ids.RoomId.ToString(),
        9 => ids.Bob.Username,
        10 => "\\ud800",
        11 => Guid.NewGuid().ToString("N")[..7],
        12 => "1",
        _ => "admin",
    };

    private static string RouteValue(Random random, Ids ids) => random.Next(14) switch
    {
        0 => ids.Alice.UserId.ToString(),
        1 => ids.Bob.UserId.ToString(),
        2 => ids.RoomId.ToString(),
        3 => ids.Bob.Username,
        4 => Guid.NewGuid().ToString(),
        5 => Guid.Empty.ToString(),
        6 => "1",
        7 => "2",
        8 => "-1",
        9 => "99999999999999999999",
        10 => "*",
        11 => "..",
        12 => new string('a', 3000),
        _ => "\u202E\u0000x",
    };

    private static object? HubArgument(Random random, Ids ids) => random.Next(12) switch
    {
        0 => null,
        1 => ids.Bob.UserId,
        2 => ids.RoomId,
        3 => Guid.NewGuid(),
        4 => Scalar(random, ids),
        5 => random.Next(2) == 0,
        6 => random.Next(int.MinValue, int.MaxValue),
        7 => new[] { Guid.NewGuid(), Guid.Empty },
        8 => new object?[] { null, "x", 1 },
        9 => new Dictionary<string, object?>
        {
            ["messages"] = new object?[]
            {
                new Dictionary<string, object?>
                {
                    ["destinationDeviceId"] = random.Next(-1, 3),
                    ["destinationRegistrationId"] = random.Next(-1, 3),
                    ["type"] = random.Next(-1, 9),
                    ["content"] = Scalar(random, ids),
                },
            },
            ["timestamp"] = random.Next(3) == 0 ? "later" : (object)random.NextInt64(),
            ["online"] = random.Next(2) == 0,
            ["ttlSeconds"] = random.Next(-5, 5),
        },
        10 => new Dictionary<string, object?> { [Pick(random, FieldNames)] = Scalar(random, ids) },
        // Deeper than 64 the client's own serializer refuses; REST bodies go deeper.
        _ => NestedList(random.Next(1, 60)),
    };

    private static object NestedList(int depth)
    {
        object value = "deep";
        for (var i = 0; i < depth; i++)
        {
            value = new[] { value };
        }
        return value;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private sealed record Ids(TestDevice Alice, TestDevice Bob, Guid RoomId);
}
