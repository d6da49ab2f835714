using E2eeChat.Server.Cluster;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Hub;

/// <summary>
/// Sends ephemeral events (receipts, typing, presence, room events) to every connected device of some users, on
/// whichever instance holds them. They are hints: when Redis is down SignalR's scale-out cannot publish them, and
/// they are dropped and logged, never turned into an error for the committed change behind them.
/// </summary>
/// <remarks>
/// SignalR's in-process lifetime manager finds a user's connections by testing every connection it holds, so one
/// receipt would cost a pass over every connection of the server. In one process each hub connection therefore joins
/// its user's group (<see cref="JoinAsync"/>), which that manager keeps as a dictionary; events go to groups. The Redis
/// lifetime manager reaches a user through the user's channel, and a group there would cost a subscription more per
/// connection, so in a cluster events go to users.
/// </remarks>
public sealed partial class UserEvents(IHubContext<ChatHub> hub, HubLifetimeManager<ChatHub> lifetime, ILogger<UserEvents> logger)
{
    private readonly bool _byGroup = lifetime is DefaultHubLifetimeManager<ChatHub>;

    /// <summary>Makes the connection reachable by its user's events; called as the connection starts.</summary>
    public Task JoinAsync(string connectionId, Guid user) =>
        _byGroup ? hub.Groups.AddToGroupAsync(connectionId, GroupOf(user)) : Task.CompletedTask;

    public Task SendAsync(Guid user, string method, object payload) =>
        SendAsync(_byGroup ? hub.Clients.Group(GroupOf(user)) : hub.Clients.User(user.ToString()), method, payload);

    public Task SendAsync(IReadOnlyCollection<Guid> users, string method, object payload)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (users.Count == 0)
        {
            return Task.CompletedTask;
        }
        var names = new string[users.Count];
        var i = 0;
        foreach (var user in users)
        {
            names[i++] = _byGroup ? GroupOf(user) : user.ToString();
        }
        return SendAsync(_byGroup ? hub.Clients.Groups(names) : hub.Clients.Users(names), method, payload);
    }

    private static string GroupOf(Guid user) => $"user:{user}";

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
