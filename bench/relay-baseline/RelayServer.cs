using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Bench.Relay;

/// <summary>
/// A SignalR server with one hub that hands each message to its addressee, and nothing else. With
/// <c>--redis host:port</c> it runs on the official Redis backplane, as E2eeChat's instances do in a cluster.
/// </summary>
internal static class RelayServer
{
    public const string Path = "/hubs/relay";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IUserIdProvider, QueryUserIdProvider>();
        var signalR = builder.Services.AddSignalR(options => options.MaximumReceiveMessageSize = 1024 * 1024).AddMessagePackProtocol();
        if (builder.Configuration["redis"] is { Length: > 0 } redis)
        {
            signalR.AddStackExchangeRedis(redis);
        }
        var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<RelayHub>(Path);
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}

/// <summary>Relays a payload to the connections of one user, as E2eeChat hands an envelope to a device.</summary>
internal sealed class RelayHub : Hub
{
    public Task Send(string to, byte[] payload) => Clients.User(to).SendAsync("Message", payload);
}

/// <summary>The user is whoever the query string says (<c>?user=</c>): no authentication, on purpose.</summary>
internal sealed class QueryUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) =>
        connection?.GetHttpContext()?.Request.Query["user"].ToString();
}
