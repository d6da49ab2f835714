using System.Diagnostics.CodeAnalysis;
using E2eeChat.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace E2eeChat.Scaleout;

/// <summary>
/// The process's link to Redis for everything cluster-wide: one command connection and one
/// subscriber, shared by the hub lifetime managers and by any other service that needs fan-out.
/// It is started by the host; if Redis is down then, it keeps trying in the background and the
/// process serves local connections meanwhile. Once connected, the two links reconnect on their own.
/// </summary>
public sealed class RedisBackplane : IAsyncDisposable
{
    private readonly RedisOptions _redisOptions;
    private readonly ILogger<RedisBackplane> _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private Task? _connecting;
    private RedisConnection? _connection;
    private RedisSubscriber? _subscriber;

    public RedisBackplane(IOptions<RedisScaleoutOptions> options, ILogger<RedisBackplane> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _redisOptions = options.Value.ToRedisOptions();
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Raised when the subscriber is connected with every channel it holds subscribed again: after
    /// the first connect and after each reconnect. Messages published while it was down are lost, so
    /// handlers re-check whatever they may have missed. Raised on a background thread; keep it quick.
    /// </summary>
    public event EventHandler? ConnectionRestored;

    /// <summary>The command connection, or null until Redis was first reached.</summary>
    public RedisConnection? Connection => Volatile.Read(ref _connection);

    /// <summary>The pub/sub connection, or null until Redis was first reached.</summary>
    public RedisSubscriber? Subscriber => Volatile.Read(ref _subscriber);

    public bool IsConnected => Connection is { IsConnected: true } && Subscriber is { IsConnected: true };

    /// <summary>
    /// Starts connecting, once. Completes after the first attempt, whether it reached Redis or not,
    /// so a host starts promptly either way.
    /// </summary>
    internal Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            _connecting ??= Task.Run(() => ConnectAsync(_stopping.Token), CancellationToken.None);
        }
        return _firstAttempt.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Task? connecting;
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }
            _stopping.Cancel();
            connecting = _connecting;
        }
        if (connecting is not null)
        {
            await connecting.ConfigureAwait(false);
        }
        if (Interlocked.Exchange(ref _subscriber, null) is { } subscriber)
        {
            await subscriber.DisposeAsync().ConfigureAwait(false);
        }
        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "Whatever stops an attempt, the loop logs it and tries again; a faulted loop would never connect.")]
    private async Task ConnectAsync(CancellationToken stopping)
    {
        var delay = _redisOptions.ReconnectInitialDelay;
        var failureLogged = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (Connection is null)
                {
                    var connection = await RedisConnection.ConnectAsync(_redisOptions, _time, stopping).ConfigureAwait(false);
                    connection.ConnectionFailed += (_, e) => _logger.ConnectionLost("command", e.Exception);
                    connection.ConnectionRestored += (_, _) => _logger.ConnectionRestored("command");
                    Volatile.Write(ref _connection, connection);
                }
                var subscriber = await RedisSubscriber.ConnectAsync(_redisOptions, _time, stopping).ConfigureAwait(false);
                subscriber.ConnectionFailed += (_, e) => _logger.ConnectionLost("subscriber", e.Exception);
                subscriber.ConnectionRestored += OnSubscriberRestored;
                subscriber.HandlerFailed += (_, e) => _logger.HandlerFailed(e.Message.Channel, e.Exception);
                Volatile.Write(ref _subscriber, subscriber);
                _logger.Connected(_redisOptions.Endpoint);
                _firstAttempt.TrySetResult();
                RaiseConnectionRestored();
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                if (!failureLogged)
                {
                    _logger.ConnectFailed(_redisOptions.Endpoint, exception);
                    failureLogged = true;
                }
                _firstAttempt.TrySetResult();
            }
            try
            {
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = delay * 2 < _redisOptions.ReconnectMaxDelay ? delay * 2 : _redisOptions.ReconnectMaxDelay;
        }
        _firstAttempt.TrySetResult();
    }

    private void OnSubscriberRestored(object? sender, EventArgs e)
    {
        _logger.ConnectionRestored("subscriber");
        RaiseConnectionRestored();
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "One observer's bug must not keep the others from resubscribing, nor end the connect loop.")]
    private void RaiseConnectionRestored()
    {
        if (ConnectionRestored is not { } handlers)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler)handler).Invoke(this, EventArgs.Empty);
            }
            catch (Exception exception)
            {
                _logger.ObserverFailed(exception);
            }
        }
    }
}
