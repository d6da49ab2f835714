using System.Collections.Concurrent;
using System.Globalization;
using E2eeChat.Domain.Messages;
using E2eeChat.Server.Cluster;
using E2eeChat.Server.Metrics;
using StackExchange.Redis;

namespace E2eeChat.Server.Delivery;

/// <summary>
/// Reaches devices connected to other instances over Redis pub/sub: each hub connection subscribes to its device's
/// channel. Losing a message here loses nothing: envelopes are committed first, and when Redis comes back every local
/// pump reads its mailbox again.
/// </summary>
internal sealed partial class RedisDeviceBus : IDeviceBus, IDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly ISubscriber _subscriber;
    private readonly DeviceConnections _connections;
    private readonly InstanceIdentity _instance;
    private readonly E2eeChatMetrics _metrics;
    private readonly ILogger<RedisDeviceBus> _logger;
    // One queue per hub connection: StackExchange.Redis counts a channel's queues and unsubscribes with the last one.
    // A queue hands its messages over one at a time, in order, which keeps a device's envelopes in sequence.
    private readonly ConcurrentDictionary<string, ChannelMessageQueue> _subscriptions = new();

    public RedisDeviceBus(IConnectionMultiplexer redis, DeviceConnections connections, InstanceIdentity instance,
        E2eeChatMetrics metrics, ILogger<RedisDeviceBus> logger)
    {
        _redis = redis;
        _subscriber = redis.GetSubscriber();
        _connections = connections;
        _instance = instance;
        _metrics = metrics;
        _logger = logger;
        _redis.ConnectionRestored += OnConnectionRestored;
    }

    public async ValueTask<IReadOnlyList<Envelope>> AnnounceAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        if (_connections.Announce(envelopes) is not { } elsewhere)
        {
            return [];
        }
        // Published together: the multiplexer pipelines them, one round trip for a whole room's fan-out.
        var published = new (Envelope Envelope, Task<long> Heard)[elsewhere.Count];
        for (var i = 0; i < elsewhere.Count; i++)
        {
            var envelope = elsewhere[i];
            var device = new DeviceKey(envelope.DestinationUserId, envelope.DestinationDeviceId);
            published[i] = (envelope, PublishAsync(device, DeviceChannelMessage.Envelope(envelope)));
        }
        // PUBLISH answers how many subscribers heard it, and every instance holding the device subscribes its channel.
        // On a Redis Cluster it counts only the node it reached, so none there proves nothing: the caller asks again.
        List<Envelope>? unreached = null;
        foreach (var (envelope, heard) in published)
        {
            if (await heard.ConfigureAwait(false) == 0)
            {
                (unreached ??= []).Add(envelope);
            }
        }
        return unreached ?? (IReadOnlyList<Envelope>)[];
    }

    public async ValueTask RevokeAsync(DeviceKey device, string reason, CancellationToken cancellationToken)
    {
        await _connections.RevokeAsync(device, reason).ConfigureAwait(false);
        await PublishAsync(device, DeviceChannelMessage.Text(DeviceChannelKind.Revoke, reason)).ConfigureAwait(false);
    }

    public async ValueTask AttachedAsync(DeviceKey device, string connectionId, CancellationToken cancellationToken)
    {
        var channel = Channel(device);
        ChannelMessageQueue queue;
        try
        {
            queue = await _subscriber.SubscribeAsync(channel).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisMultiplexer.IsFailure(exception))
        {
            // The multiplexer registered a queue before the subscribe failed, and keeps it: drop the channel's queues,
            // and with them this device's older connection here, if any (the newest wins anyway). The client retries.
            LogSubscribeFailed(_logger, exception, device.UserId, device.DeviceId);
            await UnsubscribeAsync(_subscriber.UnsubscribeAsync(channel)).ConfigureAwait(false);
            await _connections.RevokeAsync(device, "connected_elsewhere").ConfigureAwait(false);
            throw;
        }
        queue.OnMessage(message => OnMessage(device, message.Message));
        _subscriptions[connectionId] = queue;
        // The newest connection wins: whoever held this device elsewhere closes it.
        await PublishAsync(device, DeviceChannelMessage.Text(DeviceChannelKind.Claim, _instance.Id)).ConfigureAwait(false);
    }

    public async ValueTask DetachedAsync(DeviceKey device, string connectionId, CancellationToken cancellationToken)
    {
        if (_subscriptions.TryRemove(connectionId, out var queue))
        {
            await UnsubscribeAsync(queue.UnsubscribeAsync()).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Counts the subscribers of the device's channel (PUBSUB NUMSUB): every instance holding one of its connections
    /// subscribes it. NUMSUB counts one server's subscribers, and on a Redis Cluster a (non-sharded) subscription lives
    /// on whichever node the subscribing instance chose while PUBLISH reaches every node; so every server is asked and
    /// the counts summed. A node that cannot be asked counts as none: the cost is at most one needless wake-up.
    /// </summary>
    public async ValueTask<bool> IsConnectedAnywhereAsync(DeviceKey device, CancellationToken cancellationToken)
    {
        if (_connections.IsConnectedHere(device))
        {
            return true;
        }
        var channel = Channel(device);
        var servers = _redis.GetServers();
        var counts = new Task<long>[servers.Length];
        for (var i = 0; i < servers.Length; i++)
        {
            counts[i] = CountAsync(servers[i], channel);
        }
        foreach (var count in await Task.WhenAll(counts).ConfigureAwait(false))
        {
            if (count > 0)
            {
                return true;
            }
        }
        return false;
    }

    private async Task<long> CountAsync(IServer server, RedisChannel channel)
    {
        try
        {
            return server.IsConnected ? await server.SubscriptionSubscriberCountAsync(channel).ConfigureAwait(false) : 0;
        }
        catch (Exception exception) when (RedisMultiplexer.IsFailure(exception))
        {
            LogRedisUnavailable(_logger, exception);
            return 0;
        }
    }

    public void Dispose() => _redis.ConnectionRestored -= OnConnectionRestored;

    private void OnMessage(DeviceKey device, RedisValue message)
    {
        var payload = ((ReadOnlyMemory<byte>)message).Span;
        if (payload.Length == 0)
        {
            return;
        }
        switch ((DeviceChannelKind)payload[0])
        {
            case DeviceChannelKind.Envelope:
                _connections.Announce(EnvelopeCodec.Read(payload[1..]));
                break;
            case DeviceChannelKind.Revoke:
                var reason = DeviceChannelMessage.ReadText(payload);
                _ = Task.Run(() => _connections.RevokeAsync(device, reason));
                break;
            case DeviceChannelKind.Claim:
                if (DeviceChannelMessage.ReadText(payload) != _instance.Id)
                {
                    _ = Task.Run(() => _connections.RevokeAsync(device, "connected_elsewhere"));
                }
                break;
        }
    }

    /// <summary>Publishes to the device's channel; answers how many subscribers heard it (none when Redis failed).</summary>
    private async Task<long> PublishAsync(DeviceKey device, byte[] payload)
    {
        try
        {
            return await _subscriber.PublishAsync(Channel(device), payload).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisMultiplexer.IsFailure(exception))
        {
            // The envelope is committed; the device reads it when Redis returns or when it reconnects.
            _metrics.BackplanePublishFailed();
            LogRedisUnavailable(_logger, exception);
            return 0;
        }
    }

    private async Task UnsubscribeAsync(Task unsubscribe)
    {
        try
        {
            await unsubscribe.ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisMultiplexer.IsFailure(exception))
        {
            // Forgotten here already; the server drops the subscription with the lost link.
            LogRedisUnavailable(_logger, exception);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        // The multiplexer has resubscribed every channel by now; announcements published meanwhile were lost.
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _connections.RecheckAll();
        }
    }

    private static RedisChannel Channel(DeviceKey device) =>
        RedisChannel.Literal(string.Create(CultureInfo.InvariantCulture, $"device:{device.UserId:N}:{device.DeviceId}"));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis unavailable for device fan-out; the mailbox covers it")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis unavailable when {UserId}/{DeviceId} connected; the connection is refused")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception, Guid userId, int deviceId);
}
