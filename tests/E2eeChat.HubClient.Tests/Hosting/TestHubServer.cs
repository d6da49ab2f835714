using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace E2eeChat.HubClient.Tests.Hosting;

/// <summary>A real Kestrel server with <see cref="TestHub"/> at /hubs/test, on a loopback port of its own.</summary>
public sealed class TestHubServer : IAsyncDisposable
{
    /// <summary>A WebSocket request carrying this token is refused with 401 before it reaches SignalR.</summary>
    public const string ExpiredToken = "expired-token";

    private readonly WebApplication _app;

    private TestHubServer(WebApplication app, Uri hubUrl, ConcurrentQueue<SeenRequest> requests)
    {
        _app = app;
        HubUrl = hubUrl;
        Requests = requests;
        DisconnectLog = app.Services.GetRequiredService<DisconnectLog>();
    }

    public Uri HubUrl { get; }

    /// <summary>Every request to the hub path, as the server saw it.</summary>
    public ConcurrentQueue<SeenRequest> Requests { get; }

    public DisconnectLog DisconnectLog { get; }

    public static async Task<TestHubServer> StartAsync(Action<HubOptions>? configureHub = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Port 0: the kernel picks a free port at bind time, so parallel test classes never collide.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<DisconnectLog>();
        builder.Services.AddSignalR(options =>
        {
            // Lets a test hold one invocation open while others run.
            options.MaximumParallelInvocationsPerClient = 8;
            configureHub?.Invoke(options);
        });

        var app = builder.Build();
        var requests = new ConcurrentQueue<SeenRequest>();
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/hubs/test"))
            {
                var query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
                requests.Enqueue(new SeenRequest(context.Request.Method, context.Request.Path.Value ?? "", query,
                    context.Request.Headers.Authorization.ToString()));
                if (query.GetValueOrDefault("access_token") == ExpiredToken)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }
            }
            await next(context);
        });
        app.MapHub<TestHub>("/hubs/test");
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        return new TestHubServer(app, new Uri(new Uri(address), "/hubs/test"), requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A client for this server, with the token the hub accepts; tests change what they care about.</summary>
    public HubConnection CreateConnection(Action<HubConnectionOptions>? configure = null)
    {
        var options = new HubConnectionOptions
        {
            Url = HubUrl,
            AccessTokenProvider = _ => ValueTask.FromResult<string?>(TestHub.ValidToken),
        };
        configure?.Invoke(options);
        return new HubConnection(options);
    }
}

public sealed record SeenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query,
    string Authorization);
