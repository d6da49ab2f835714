using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>One request a push service or gateway received: its path, headers and body bytes.</summary>
public sealed record ReceivedPush(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : string.Empty;
}

/// <summary>
/// The push services' side, played on loopback by a real Kestrel server: Web Push resources at <c>/push/{id}</c>
/// (201 Created, as RFC 8030 answers) and a Matrix-style gateway at <c>/_matrix/push/v1/notify</c> (200 with
/// <c>{"rejected":[]}</c>). It records every request; a test queues other answers (410, 429 with Retry-After…).
/// </summary>
public sealed class LoopbackPushService : IAsyncDisposable
{
    public const string GatewayPath = "/_matrix/push/v1/notify";
    private const int Hold = 0;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedPush> _received = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Status, string? RetryAfter)>> _answers = new();

    private LoopbackPushService(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<LoopbackPushService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var service = new LoopbackPushService(builder.Build());
        service._app.MapPost("/push/{id}", context => service.ReceiveAsync(context, StatusCodes.Status201Created, "{}"));
        service._app.MapPost(GatewayPath, context => service.ReceiveAsync(context, StatusCodes.Status200OK, """{"rejected":[]}"""));
        await service._app.StartAsync();
        var address = service._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        service.BaseAddress = new Uri(address);
        return service;
    }

    /// <summary>A fresh push resource, as a browser's push service hands one to a subscription.</summary>
    public Uri NewEndpoint() => new(BaseAddress, $"/push/{Guid.NewGuid():N}");

    public Uri Gateway => new(BaseAddress, GatewayPath);

    public IReadOnlyList<ReceivedPush> ReceivedAt(Uri endpoint) => [.. _received.Where(r => r.Path == endpoint.AbsolutePath)];

    /// <summary>The next request to <paramref name="endpoint"/> is recorded and never answered: the client must give up.</summary>
    public void HoldNext(Uri endpoint) => AnswerNext(endpoint, Hold);

    /// <summary>The next request to <paramref name="endpoint"/> gets this answer instead of the usual one.</summary>
    public void AnswerNext(Uri endpoint, int status, string? retryAfter = null) =>
        _answers.GetOrAdd(endpoint.AbsolutePath, _ => new()).Enqueue((status, retryAfter));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(HttpContext context, int status, string body)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var path = context.Request.Path.Value!;
        if (_answers.TryGetValue(path, out var answers) && answers.TryDequeue(out var answer))
        {
            status = answer.Status;
            body = string.Empty;
            if (answer.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = answer.RetryAfter;
            }
        }
        // Recorded before answering: a test that saw the answer's effect finds the request.
        _received.Enqueue(new ReceivedPush(path, headers, buffer.ToArray()));
        if (status == Hold)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }
}
