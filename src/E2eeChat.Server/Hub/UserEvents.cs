using E2eeChat.Server.Cluster;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Hub;

/// <summary>
/// Sends ephemeral events (receipts, typing, presence, room events) to every connected device of some users, on
/// whichever instance holds them. They are hints: when Redis is down SignalR's scale-out cannot publish them, and
/// they are dropped and logged, never turned into an error for the committed change behind them.
/// </summary>
public sealed partial class UserEvents(IHubContext<ChatHub> hub, ILogger<UserEvents> logger)
{
    public Task SendAsync(Guid user, string method, object payload) =>
        SendAsync(hub.Clients.User(user.ToString()), method, payload);

    public Task SendAsync(IReadOnlyCollection<Guid> users, string method, object payload)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (users.Count == 0)
        {
            return Task.CompletedTask;
        }
        var ids = new string[users.Count];
        var i = 0;
        foreach (var user in users)
        {
            ids[i++] = user.ToString();
        }
        return SendAsync(hub.Clients.Users(ids), method, payload);
    }

    private async Task SendAsync(IClientProxy clients, string method, object payload)
    {
        try
        {
            await clients.SendAsync(method, payload, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisMultiplexer.IsFailure(exception))
        {
            LogDropped(logger, exception, method);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} event dropped: Redis does not answer")]
    private static partial void LogDropped(ILogger logger, Exception exception, string method);
}
