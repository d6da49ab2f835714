namespace E2eeChat.Redis.Transport;

/// <summary>
/// Keeps one <see cref="RespConnection"/> current: when it closes, reopens with exponential
/// backoff until it succeeds or the owner is disposed. Commands are never replayed onto the
/// new connection; the owner's <c>onConnected</c> step (the subscriber's re-subscribe) runs
/// before the connection is published and <see cref="Restored"/> is raised.
/// </summary>
internal sealed class ConnectionSupervisor : IAsyncDisposable
{
    private readonly RedisOptions _options;
    private readonly TimeProvider _time;
    private readonly string _owner;
    private readonly Func<RedisReply, bool>? _pushHandler;
    private readonly Func<RespConnection, CancellationToken, Task>? _onConnected;
    private readonly Action<Exception> _onFailed;
    private readonly Action _onRestored;
    private readonly CancellationTokenSource _disposal = new();
    private readonly Lock _gate = new();
    private RespConnection? _current;
    private Task _reconnectLoop = Task.CompletedTask;
    private bool _disposed;

    public ConnectionSupervisor(RedisOptions options, TimeProvider time, string owner,
        Func<RedisReply, bool>? pushHandler, Func<RespConnection, CancellationToken, Task>? onConnected,
        Action<Exception> onFailed, Action onRestored)
    {
        _options = options;
        _time = time;
        _owner = owner;
        _pushHandler = pushHandler;
        _onConnected = onConnected;
        _onFailed = onFailed;
        _onRestored = onRestored;
    }

    /// <summary>The open connection, or null while reconnecting.</summary>
    public RespConnection? Current => Volatile.Read(ref _current);

    public bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>The first connection: one attempt, so a wrong endpoint or password fails fast.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!TryPublish(connection))
        {
            // Closed between the handshake and now: carry on as after any drop.
            await connection.DisposeAsync().ConfigureAwait(false);
            StartReconnecting(new RedisConnectionException($"The connection to {_options.Endpoint} closed right after it opened."));
        }
    }

    public Exception NotConnected() => IsDisposed
        ? new ObjectDisposedException(_owner)
        : new RedisConnectionException($"Not connected to {_options.Endpoint}; reconnecting.");

    public async ValueTask DisposeAsync()
    {
        RespConnection? current;
        Task loop;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            current = _current;
            _current = null;
            loop = _reconnectLoop;
        }
        await _disposal.CancelAsync().ConfigureAwait(false);
        if (current is not null)
        {
            await current.DisposeAsync().ConfigureAwait(false);
        }
        await loop.ConfigureAwait(false);
        _disposal.Dispose();
    }

    private async Task<RespConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await RespConnection.OpenAsync(_options, _time, _owner, _pushHandler, OnClosed, cancellationToken)
            .ConfigureAwait(false);
        if (_onConnected is not null)
        {
            try
            {
                await _onConnected(connection, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        return connection;
    }

    private bool TryPublish(RespConnection connection)
    {
        lock (_gate)
        {
            // Checked under the lock that OnClosed takes, so a close can't slip between check and publish.
            if (_disposed || !connection.IsOpen)
            {
                return false;
            }
            _current = connection;
            return true;
        }
    }

    private void OnClosed(RespConnection connection, Exception reason)
    {
        lock (_gate)
        {
            // Connections that never became current (a failed handshake) are the opener's business.
            if (!ReferenceEquals(_current, connection))
            {
                return;
            }
            _current = null;
        }
        StartReconnecting(reason);
    }

    private void StartReconnecting(Exception reason)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _reconnectLoop = Task.Run(() => ReconnectLoopAsync(reason));
        }
    }

    private async Task ReconnectLoopAsync(Exception reason)
    {
        _onFailed(reason);
        var delay = _options.ReconnectInitialDelay;
        var cancellationToken = _disposal.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(WithJitter(delay), _time, cancellationToken).ConfigureAwait(false);
                var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                if (TryPublish(connection))
                {
                    _onRestored();
                    return;
                }
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RedisException)
            {
                // Still down, or refusing us: try again later.
            }
            var doubled = delay * 2;
            delay = doubled < _options.ReconnectMaxDelay ? doubled : _options.ReconnectMaxDelay;
        }
    }

    // Instances that lost the server together should not all knock at the same instant.
    private static TimeSpan WithJitter(TimeSpan delay) =>
        delay * (0.8 + (0.4 * Random.Shared.NextDouble()));
}
