using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using E2eeChat.Redis.Transport;

namespace E2eeChat.Redis;

/// <summary>
/// A dedicated pub/sub connection: one handler per channel and per pattern. Subscribe and
/// unsubscribe complete when the server has confirmed them. After a reconnect every channel
/// and pattern is subscribed again before <see cref="ConnectionRestored"/> is raised, so a
/// handler of that event can re-check whatever it may have missed while the link was down.
/// </summary>
/// <remarks>
/// Handlers run on the connection's receive loop, one message at a time in the order the
/// server sent them: they must be quick and must not block. Hand slow work off.
/// </remarks>
public sealed class RedisSubscriber : IAsyncDisposable
{
    private readonly ConnectionSupervisor _supervisor;
    private readonly ConcurrentDictionary<string, Subscription> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Subscription> _patterns = new(StringComparer.Ordinal);

    // Orders changes to the subscription tables with the commands that carry them to the
    // server, so the server's view and ours never disagree after a race.
    private readonly Lock _gate = new();
    private RespConnection? _connection;

    private RedisSubscriber(RedisOptions options, TimeProvider time)
    {
        _supervisor = new ConnectionSupervisor(options, time, nameof(RedisSubscriber), TryDispatch,
            SubscribeEverythingAsync, OnFailed, OnRestored);
    }

    /// <summary>Raised when the connection drops; messages published until it is restored are lost.</summary>
    public event EventHandler<RedisConnectionFailedEventArgs>? ConnectionFailed;

    /// <summary>Raised after a reconnect, once every channel and pattern is subscribed again.</summary>
    public event EventHandler? ConnectionRestored;

    /// <summary>Raised on the receive loop when a handler throws; the next message is still delivered.</summary>
    public event EventHandler<RedisHandlerFailedEventArgs>? HandlerFailed;

    public bool IsConnected => _supervisor.Current is not null;

    public static Task<RedisSubscriber> ConnectAsync(RedisOptions options, CancellationToken cancellationToken = default) =>
        ConnectAsync(options, TimeProvider.System, cancellationToken);

    public static async Task<RedisSubscriber> ConnectAsync(RedisOptions options, TimeProvider timeProvider,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        var subscriber = new RedisSubscriber(options, timeProvider);
        try
        {
            await subscriber._supervisor.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await subscriber.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return subscriber;
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to <paramref name="channel"/>, replacing any handler it had.
    /// If this throws, the channel is left without a handler.
    /// </summary>
    public Task SubscribeAsync(string channel, Action<RedisMessage> handler, CancellationToken cancellationToken = default) =>
        AddAsync(_channels, "SUBSCRIBE", "subscribe", channel, handler, cancellationToken);

    /// <summary>Subscribes to every channel matching a glob-style pattern such as <c>news.*</c>.</summary>
    public Task PatternSubscribeAsync(string pattern, Action<RedisMessage> handler,
        CancellationToken cancellationToken = default) =>
        AddAsync(_patterns, "PSUBSCRIBE", "psubscribe", pattern, handler, cancellationToken);

    /// <summary>
    /// Removes the channel's handler at once and unsubscribes on the server. While disconnected
    /// there is nothing to unsubscribe: the channel is simply not subscribed again.
    /// </summary>
    public Task UnsubscribeAsync(string channel, CancellationToken cancellationToken = default) =>
        RemoveAsync(_channels, "UNSUBSCRIBE", "unsubscribe", channel, cancellationToken);

    public Task PatternUnsubscribeAsync(string pattern, CancellationToken cancellationToken = default) =>
        RemoveAsync(_patterns, "PUNSUBSCRIBE", "punsubscribe", pattern, cancellationToken);

    public ValueTask DisposeAsync() => _supervisor.DisposeAsync();

    private async Task AddAsync(ConcurrentDictionary<string, Subscription> table, string command, string confirmation,
        string name, Action<RedisMessage> handler, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_supervisor.IsDisposed, this);
        var subscription = new Subscription(handler);
        ValueTask<RedisReply> reply;
        lock (_gate)
        {
            table[name] = subscription;
            reply = Send(command, name, cancellationToken);
        }
        try
        {
            Confirm(await reply.ConfigureAwait(false), confirmation, name);
        }
        catch
        {
            lock (_gate)
            {
                // Only our own registration: a later subscribe of the same name may have replaced it.
                table.TryRemove(new KeyValuePair<string, Subscription>(name, subscription));
            }
            throw;
        }
    }

    private async Task RemoveAsync(ConcurrentDictionary<string, Subscription> table, string command, string confirmation,
        string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ObjectDisposedException.ThrowIf(_supervisor.IsDisposed, this);
        ValueTask<RedisReply> reply;
        lock (_gate)
        {
            table.TryRemove(name, out _);
            if (_connection is not { IsOpen: true } connection)
            {
                return;
            }
            reply = connection.SendAsync([command, name], cancellationToken);
        }
        try
        {
            Confirm(await reply.ConfigureAwait(false), confirmation, name);
        }
        catch (RedisConnectionException)
        {
            // The subscription went away with the connection, which is all that was asked.
        }
    }

    private ValueTask<RedisReply> Send(string command, string name, CancellationToken cancellationToken) =>
        _connection is { } connection
            ? connection.SendAsync([command, name], cancellationToken)
            : ValueTask.FromException<RedisReply>(_supervisor.NotConnected());

    // Runs for every new connection, before it is published: the first one finds the tables empty.
    private async Task SubscribeEverythingAsync(RespConnection connection, CancellationToken cancellationToken)
    {
        var confirmations = new List<(Task<RedisReply> Reply, string Confirmation, string Name)>();
        lock (_gate)
        {
            _connection = connection;
            foreach (var channel in _channels.Keys)
            {
                confirmations.Add((connection.SendAsync(["SUBSCRIBE", channel], cancellationToken).AsTask(), "subscribe", channel));
            }
            foreach (var pattern in _patterns.Keys)
            {
                confirmations.Add((connection.SendAsync(["PSUBSCRIBE", pattern], cancellationToken).AsTask(), "psubscribe", pattern));
            }
        }
        foreach (var (reply, confirmation, name) in confirmations)
        {
            Confirm(await reply.ConfigureAwait(false), confirmation, name);
        }
    }

    // The server confirms each (un)subscribe of one name with [kind, name, count], in order.
    private void Confirm(RedisReply reply, string confirmation, string name)
    {
        var elements = reply.Kind == RedisReplyKind.Array ? reply.Elements : default;
        if (elements.Length != 3
            || !string.Equals(elements[0].AsString(), confirmation, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(elements[1].AsString(), name, StringComparison.Ordinal))
        {
            var error = new RedisProtocolException($"Expected the server to confirm {confirmation} {name} but it sent {reply}.");
            // Confirmations are matched by order; once one is off, none after it can be trusted.
            _connection?.Close(error);
            throw error;
        }
    }

    // Runs on the receive loop for every reply; true when it was a published message.
    private bool TryDispatch(RedisReply reply)
    {
        if (reply.Kind != RedisReplyKind.Array)
        {
            return false;
        }
        var elements = reply.Elements;
        if (elements.Length == 3 && elements[0].IsString("message"u8))
        {
            var channel = elements[1].AsString()!;
            if (_channels.TryGetValue(channel, out var subscription))
            {
                Invoke(subscription, new RedisMessage(channel, elements[2].AsBytes(), null));
            }
            return true;
        }
        if (elements.Length == 4 && elements[0].IsString("pmessage"u8))
        {
            var pattern = elements[1].AsString()!;
            if (_patterns.TryGetValue(pattern, out var subscription))
            {
                Invoke(subscription, new RedisMessage(elements[2].AsString()!, elements[3].AsBytes(), pattern));
            }
            return true;
        }
        return false;
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "A handler's bug must not kill the receive loop and every other subscription with it.")]
    private void Invoke(Subscription subscription, RedisMessage message)
    {
        try
        {
            subscription.Handler(message);
        }
        catch (Exception exception)
        {
            EventRaiser.Raise(this, HandlerFailed, new RedisHandlerFailedEventArgs(message, exception));
        }
    }

    private void OnFailed(Exception reason) =>
        EventRaiser.Raise(this, ConnectionFailed, new RedisConnectionFailedEventArgs(reason));

    private void OnRestored() => EventRaiser.Raise(this, ConnectionRestored, EventArgs.Empty);

    // Compared by reference, so that "remove only if still mine" tells registrations apart.
    private sealed class Subscription(Action<RedisMessage> handler)
    {
        public Action<RedisMessage> Handler { get; } = handler;
    }
}
