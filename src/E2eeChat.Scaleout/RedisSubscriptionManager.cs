using System.Collections.Concurrent;
using E2eeChat.Redis;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Scaleout;

/// <summary>
/// Ref-counted channel subscriptions for one kind of name (groups, users or connections): the
/// channel of a name is subscribed while at least one local connection is a member, and
/// unsubscribed with the last one. The members double as the local recipients of a send.
/// </summary>
internal sealed class RedisSubscriptionManager
{
    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly ChannelSubscriptions _channels;
    private readonly Func<string, string> _channelOf;
    private readonly Action<RedisSubscriptionManager, string, RedisMessage> _onMessage;

    /// <param name="channels">Where the channels are subscribed.</param>
    /// <param name="channelOf">The channel of a name.</param>
    /// <param name="onMessage">Handles a message on a name's channel, given this manager and the name.</param>
    public RedisSubscriptionManager(ChannelSubscriptions channels, Func<string, string> channelOf,
        Action<RedisSubscriptionManager, string, RedisMessage> onMessage)
    {
        _channels = channels;
        _channelOf = channelOf;
        _onMessage = onMessage;
    }

    /// <summary>How many names have local members, and so a subscribed channel.</summary>
    public int Count => _subscriptions.Count;

    public string ChannelOf(string name) => _channelOf(name);

    /// <summary>The local members of <paramref name="name"/>, or null when there are none. Lock-free: this is on every send.</summary>
    public HubConnectionStore? MembersOf(string name) =>
        _subscriptions.TryGetValue(name, out var subscription) ? subscription.Members : null;

    /// <summary>
    /// Adds a member. The returned task completes once the channel is subscribed (or set aside
    /// while Redis is down); a second member waits for the subscription the first one started.
    /// </summary>
    public Task AddAsync(string name, HubConnectionContext connection)
    {
        lock (_gate)
        {
            if (_subscriptions.TryGetValue(name, out var subscription))
            {
                subscription.Members.Add(connection);
                return subscription.Subscribed;
            }
            var members = new HubConnectionStore();
            members.Add(connection);
            var subscribed = _channels.SubscribeAsync(_channelOf(name), message => _onMessage(this, name, message));
            _subscriptions[name] = new Subscription(members, subscribed);
            return subscribed;
        }
    }

    /// <summary>Removes a member, and unsubscribes the channel when it was the last one.</summary>
    public Task RemoveAsync(string name, HubConnectionContext connection)
    {
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(name, out var subscription))
            {
                return Task.CompletedTask;
            }
            subscription.Members.Remove(connection);
            if (subscription.Members.Count > 0)
            {
                return Task.CompletedTask;
            }
            _subscriptions.TryRemove(name, out _);
            return _channels.UnsubscribeAsync(_channelOf(name));
        }
    }

    private sealed record Subscription(HubConnectionStore Members, Task Subscribed);
}
