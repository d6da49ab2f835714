using System.Collections.Concurrent;
using System.Globalization;
using E2eeChat.Domain.Messages;
using E2eeChat.Redis;
using E2eeChat.Scaleout;
using E2eeChat.Server.Cluster;

namespace E2eeChat.Server.Delivery;

/// <summary>
/// Reaches devices connected to other instances over Redis: each instance subscribes to the
/// channel of every device connected to it. Losing a message here loses nothing: envelopes are
/// committed first, and when Redis comes back every local pump reads its mailbox again.
/// </summary>
internal sealed partial class RedisDeviceBus : IDeviceBus, IDisposable
{
    private readonly RedisBackplane _backplane;
    private readonly DeviceConnections _connections;
    private readonly InstanceIdentity _instance;
    private readonly string _prefix;
    private readonly ILogger<RedisDeviceBus> _logger;
    private readonly ConcurrentDictionary<DeviceKey, byte> _subscribed = new();

    public RedisDeviceBus(RedisBackplane backplane, DeviceConnections connections, InstanceIdentity instance, ClusterOptions options,
        ILogger<RedisDeviceBus> logger)
    {
        _backplane = backplane;
        _connections = connections;
        _instance = instance;
        _prefix = options.KeyPrefix + ":device:";
        _logger = logger;
        _backplane.ConnectionRestored += OnConnectionRestored;
    }

    public async ValueTask AnnounceAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        for (var i = 0; i < envelopes.Count; i++)
        {
            var envelope = envelopes[i];
            var device = new DeviceKey(envelope.DestinationUserId, envelope.DestinationDeviceId);
            if (_connections.IsConnectedHere(device))
            {
                _connections.Announce(envelope);
            }
            else
            {
                await PublishAsync(device, DeviceChannelMessage.Envelope(envelope)).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask RevokeAsync(DeviceKey device, string reason, CancellationToken cancellationToken)
    {
        await _connections.RevokeAsync(device, reason).ConfigureAwait(false);
        await PublishAsync(device, DeviceChannelMessage.Text(DeviceChannelKind.Revoke, reason)).ConfigureAwait(false);
    }

    public async ValueTask AttachedAsync(DeviceKey device, CancellationToken cancellationToken)
    {
        await SubscribeAsync(device, cancellationToken).ConfigureAwait(false);
        // The newest connection wins: whoever held this device elsewhere closes it.
        await PublishAsync(device, DeviceChannelMessage.Text(DeviceChannelKind.Claim, _instance.Id)).ConfigureAwait(false);
    }

    public async ValueTask DetachedAsync(DeviceKey device, CancellationToken cancellationToken)
    {
        if (_connections.IsConnectedHere(device) || !_subscribed.TryRemove(device, out _))
        {
            return;
        }
        if (_backplane.Subscriber is { } subscriber)
        {
            try
            {
                await subscriber.UnsubscribeAsync(Channel(device), cancellationToken).ConfigureAwait(false);
            }
            catch (RedisException exception)
            {
                LogRedisUnavailable(_logger, exception);
            }
        }
    }

    public void Dispose() => _backplane.ConnectionRestored -= OnConnectionRestored;

    private async Task SubscribeAsync(DeviceKey device, CancellationToken cancellationToken)
    {
        _subscribed[device] = 0;
        if (_backplane.Subscriber is not { } subscriber)
        {
            return; // Subscribed when Redis is first reached (OnConnectionRestored).
        }
        try
        {
            await subscriber.SubscribeAsync(Channel(device), message => OnMessage(device, message), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RedisException exception)
        {
            LogRedisUnavailable(_logger, exception);
        }
    }

    private void OnMessage(DeviceKey device, RedisMessage message)
    {
        var payload = message.Payload.Span;
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

    private async ValueTask PublishAsync(DeviceKey device, byte[] payload)
    {
        if (_backplane.Connection is not { } connection)
        {
            return;
        }
        try
        {
            await connection.PublishAsync(Channel(device), payload).ConfigureAwait(false);
        }
        catch (RedisException exception)
        {
            // The envelope is committed; the device reads it when Redis returns or when it reconnects.
            LogRedisUnavailable(_logger, exception);
        }
    }

    private void OnConnectionRestored(object? sender, EventArgs e) => _ = Task.Run(async () =>
    {
        // Subscriptions made while Redis was unreachable, then a mailbox re-check for anything missed.
        foreach (var device in _subscribed.Keys)
        {
            await SubscribeAsync(device, CancellationToken.None).ConfigureAwait(false);
        }
        _connections.RecheckAll();
    });

    private string Channel(DeviceKey device) =>
        string.Create(CultureInfo.InvariantCulture, $"{_prefix}{device.UserId:N}:{device.DeviceId}");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis unavailable for device fan-out; the mailbox covers it")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception exception);
}
