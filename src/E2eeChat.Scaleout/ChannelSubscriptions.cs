using E2eeChat.Redis;
using Microsoft.Extensions.Logging;

namespace E2eeChat.Scaleout;

/// <summary>
/// The channels one lifetime manager wants, each with its handler, kept true on the shared
/// subscriber whatever Redis does. The subscriber resubscribes what it holds after a reconnect, but
/// a subscribe that failed while Redis was down (or before it was first reached) is not held: this
/// class remembers it and makes it again when the backplane is back. Callers never see Redis
/// failures: a channel that could not be subscribed costs remote fan-out, not the connection.
/// </summary>
internal sealed class ChannelSubscriptions : IDisposable
{
    private readonly RedisBackplane _backplane;
    private readonly ILogger _logger;
    private readonly TimeSpan _retryDelay;

    // Commands are issued while holding the gate: the subscriber sends them in call order, so the
    // server sees SUBSCRIBE and UNSUBSCRIBE of one channel in the order our state changed.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Action<RedisMessage>> _wanted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unconfirmed = new(StringComparer.Ordinal);
    private bool _disposed;

    public ChannelSubscriptions(RedisBackplane backplane, ILogger logger, TimeSpan retryDelay)
    {
        _backplane = backplane;
        _logger = logger;
        _retryDelay = retryDelay;
        _backplane.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>How many channels are wanted, confirmed or not.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _wanted.Count;
            }
        }
    }

    /// <summary>How many wanted channels wait for Redis to come back.</summary>
    public int UnconfirmedCount
    {
        get
        {
            lock (_gate)
            {
                return _unconfirmed.Count;
            }
        }
    }

    /// <summary>Completes when the server confirmed the subscription, or when it failed and was set aside for later.</summary>
    public Task SubscribeAsync(string channel, Action<RedisMessage> handler)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.CompletedTask;
            }
            _wanted[channel] = handler;
            _unconfirmed.Remove(channel);
            return SendSubscribeAsync(_backplane.Subscriber, channel, handler);
        }
    }

    public Task UnsubscribeAsync(string channel)
    {
        lock (_gate)
        {
            _wanted.Remove(channel);
            _unconfirmed.Remove(channel);
            return _backplane.Subscriber is { } subscriber ? SendUnsubscribeAsync(subscriber, channel) : Task.CompletedTask;
        }
    }

    /// <summary>Unsubscribes everything, without waiting: the process is usually stopping.</summary>
    public void Dispose()
    {
        _backplane.ConnectionRestored -= OnConnectionRestored;
        lock (_gate)
        {
            _disposed = true;
            if (_backplane.Subscriber is { } subscriber)
            {
                foreach (var channel in _wanted.Keys)
                {
                    _ = SendUnsubscribeAsync(subscriber, channel);
                }
            }
            _wanted.Clear();
            _unconfirmed.Clear();
        }
    }

    // Called under the gate. Never throws: a failure marks the channel for the next repair.
    private async Task SendSubscribeAsync(RedisSubscriber? subscriber, string channel, Action<RedisMessage> handler)
    {
        if (subscriber is null)
        {
            MarkUnconfirmed(channel, handler);
            return;
        }
        try
        {
            await subscriber.SubscribeAsync(channel, handler).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or ObjectDisposedException)
        {
            _logger.SubscribeFailed(channel, exception);
            MarkUnconfirmed(channel, handler);
            // The reconnect may have finished (and raised ConnectionRestored) before we marked the
            // channel; marking first and then looking closes that gap.
            if (exception is RedisConnectionException && subscriber.IsConnected)
            {
                _ = RepairAfterDelayAsync();
            }
        }
    }

    private async Task SendUnsubscribeAsync(RedisSubscriber subscriber, string channel)
    {
        try
        {
            await subscriber.UnsubscribeAsync(channel).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or ObjectDisposedException)
        {
            // The handler is gone either way; a server-side leftover ends with the connection.
            _logger.UnsubscribeFailed(channel, exception);
        }
    }

    private void MarkUnconfirmed(string channel, Action<RedisMessage> handler)
    {
        lock (_gate)
        {
            // Only if still wanted with this handler: it may have been unsubscribed or replaced meanwhile.
            if (_wanted.TryGetValue(channel, out var wanted) && ReferenceEquals(wanted, handler))
            {
                _unconfirmed.Add(channel);
            }
        }
    }

    private void OnConnectionRestored(object? sender, EventArgs e) => _ = RepairAsync();

    private async Task RepairAfterDelayAsync()
    {
        await Task.Delay(_retryDelay).ConfigureAwait(false);
        await RepairAsync().ConfigureAwait(false);
    }

    private Task RepairAsync()
    {
        Task[] attempts;
        lock (_gate)
        {
            if (_unconfirmed.Count == 0 || _backplane.Subscriber is not { } subscriber)
            {
                return Task.CompletedTask;
            }
            _logger.Resubscribing(_unconfirmed.Count);
            var channels = new string[_unconfirmed.Count];
            _unconfirmed.CopyTo(channels);
            _unconfirmed.Clear();
            attempts = new Task[channels.Length];
            for (var i = 0; i < channels.Length; i++)
            {
                attempts[i] = SendSubscribeAsync(subscriber, channels[i], _wanted[channels[i]]);
            }
        }
        return Task.WhenAll(attempts);
    }
}
