namespace E2eeChat.HubClient;

/// <summary>
/// A connection to a SignalR hub that speaks the JSON hub protocol over a WebSocket.
/// </summary>
/// <remarks>
/// <para>Any number of callers may invoke and send at once; sends go out one at a time.</para>
/// <para>Handlers run on the connection's receive loop, one at a time, in the order the server sent
/// them. They must be quick and must not wait on this connection; hand longer work to a queue.</para>
/// <para>There is no automatic reconnect. When <see cref="Closed"/> reports a reason, the caller may
/// call <see cref="StartAsync"/> again: handlers stay registered and the token provider is asked
/// for a fresh token.</para>
/// </remarks>
public sealed class HubConnection : IAsyncDisposable
{
    private readonly HubConnectionOptions _options;
    private readonly HandlerRegistry _handlers = new();
    private readonly Lock _gate = new();
    private HubConnectionState _state;
    private HubSession? _session;
    private CancellationTokenSource? _starting;
    private bool _stoppedWhileStarting;
    private TaskCompletionSource<Exception?> _whenClosed = CreateWhenClosed(completed: true);
    private bool _disposed;

    /// <exception cref="ArgumentException">The options are not valid.</exception>
    public HubConnection(HubConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>
    /// Raised once when an open connection ends. The argument is null when the caller stopped it, and
    /// otherwise a <see cref="HubConnectionClosedException"/> saying why. Runs on the receive loop.
    /// </summary>
    public event Action<Exception?>? Closed;

    /// <summary>A handler (or a <see cref="Closed"/> subscriber) threw; the method name and the exception.</summary>
    public event Action<string, Exception>? HandlerFailed;

    public HubConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The id the server gave this connection in negotiate; null when negotiation is skipped or when not connected.</summary>
    public string? ConnectionId
    {
        get
        {
            lock (_gate)
            {
                return _session?.ConnectionId;
            }
        }
    }

    /// <summary>
    /// Completes, with what <see cref="Closed"/> reports and after its subscribers ran, when the
    /// connection opened by the latest <see cref="StartAsync"/> ends; with the start failure when that
    /// start failed. Never faults.
    /// </summary>
    public Task<Exception?> WhenClosed
    {
        get
        {
            lock (_gate)
            {
                return _whenClosed.Task;
            }
        }
    }

    /// <summary>Negotiates if configured to, opens the WebSocket and completes the handshake.</summary>
    /// <exception cref="HttpRequestException">Negotiate or the WebSocket upgrade was refused; <see cref="HttpRequestException.StatusCode"/> says how.</exception>
    /// <exception cref="InvalidOperationException">The server rejected the handshake, or the connection is not disconnected.</exception>
    /// <exception cref="TimeoutException">The handshake took longer than <see cref="HubConnectionOptions.HandshakeTimeout"/>.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        CancellationTokenSource starting;
        TaskCompletionSource<Exception?> whenClosed;
        // Again here, because options are a mutable class the caller may have changed since.
        _options.Validate();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_state != HubConnectionState.Disconnected)
            {
                throw new InvalidOperationException($"StartAsync needs a disconnected connection; this one is {_state}.");
            }
            _state = HubConnectionState.Connecting;
            _stoppedWhileStarting = false;
            starting = _starting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            whenClosed = _whenClosed = CreateWhenClosed(completed: false);
        }

        HubSession session;
        try
        {
            session = await HubSession.ConnectAsync(_options, _handlers, OnSessionClosed, OnHandlerFailed, starting.Token)
                .ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _starting = null;
                _state = HubConnectionState.Disconnected;
            }
            starting.Dispose();
            whenClosed.TrySetResult(ex);
            throw;
        }

        // A stop or dispose that came in while connecting wins over the start. Deciding and publishing
        // under one lock means a StopAsync either sees the session or is seen here.
        bool wanted;
        lock (_gate)
        {
            wanted = !_stoppedWhileStarting && !_disposed && !starting.IsCancellationRequested;
            _starting = null;
            _state = wanted ? HubConnectionState.Connected : HubConnectionState.Disconnected;
            _session = wanted ? session : null;
        }
        starting.Dispose();
        if (!wanted)
        {
            session.Abandon();
            var stopped = new OperationCanceledException("The connection was stopped while it was starting.");
            whenClosed.TrySetResult(stopped);
            throw stopped;
        }
        session.Start();
    }

    /// <summary>
    /// Closes the connection and waits until it has ended; a start under way is cancelled. Pending
    /// invocations fail with <see cref="HubConnectionClosedException"/>. The token cuts the polite close short.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        HubSession? session;
        CancellationTokenSource? starting;
        lock (_gate)
        {
            starting = _starting;
            _stoppedWhileStarting |= starting is not null;
            session = _session;
            if (session is not null)
            {
                _state = HubConnectionState.Disconnecting;
            }
        }
        try
        {
            // Only to cut the start short; the flag above already decided. Outside the lock, because
            // cancelling may run the start's continuations inline, and they take the lock.
            starting?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The start has finished; it saw the flag and dropped its session.
        }
        if (session is not null)
        {
            await session.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Invokes a hub method and returns its result, deserialized as <typeparamref name="T"/>.</summary>
    /// <exception cref="HubException">The hub method failed; the message is the server's error text.</exception>
    /// <exception cref="HubConnectionClosedException">The connection is not open, or closed before the result came.</exception>
    public Task<T?> InvokeAsync<T>(string method, object?[] arguments, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(arguments);
        return CurrentSession().InvokeAsync<T>(method, arguments, ignoreResult: false, cancellationToken);
    }

    /// <summary>Invokes a hub method and waits for it to complete, ignoring any result.</summary>
    /// <exception cref="HubException">The hub method failed; the message is the server's error text.</exception>
    /// <exception cref="HubConnectionClosedException">The connection is not open, or closed before the method completed.</exception>
    public Task InvokeAsync(string method, object?[] arguments, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(arguments);
        return CurrentSession().InvokeAsync<object>(method, arguments, ignoreResult: true, cancellationToken);
    }

    /// <summary>Sends an invocation without an id: the server runs it and reports neither result nor error.</summary>
    /// <exception cref="HubConnectionClosedException">The connection is not open.</exception>
    public Task SendAsync(string method, object?[] arguments, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(arguments);
        return CurrentSession().SendAsync(method, arguments, cancellationToken);
    }

    /// <summary>Handles a server invocation of <paramref name="method"/> without arguments. Dispose the result to remove it.</summary>
    public IDisposable On(string method, Action handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        return _handlers.Add(method, arguments =>
        {
            new HubArgumentReader(arguments).End();
            handler();
        });
    }

    /// <summary>Handles a server invocation of <paramref name="method"/> with one argument, deserialized with <see cref="HubConnectionOptions.SerializerOptions"/>.</summary>
    public IDisposable On<T1>(string method, Action<T1> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        var options = _options.SerializerOptions;
        return _handlers.Add(method, arguments =>
        {
            var reader = new HubArgumentReader(arguments);
            var first = reader.Next<T1>(options);
            reader.End();
            handler(first);
        });
    }

    /// <summary>Handles a server invocation of <paramref name="method"/> with two arguments.</summary>
    public IDisposable On<T1, T2>(string method, Action<T1, T2> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        var options = _options.SerializerOptions;
        return _handlers.Add(method, arguments =>
        {
            var reader = new HubArgumentReader(arguments);
            var first = reader.Next<T1>(options);
            var second = reader.Next<T2>(options);
            reader.End();
            handler(first, second);
        });
    }

    /// <summary>Handles a server invocation of <paramref name="method"/> with three arguments.</summary>
    public IDisposable On<T1, T2, T3>(string method, Action<T1, T2, T3> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        var options = _options.SerializerOptions;
        return _handlers.Add(method, arguments =>
        {
            var reader = new HubArgumentReader(arguments);
            var first = reader.Next<T1>(options);
            var second = reader.Next<T2>(options);
            var third = reader.Next<T3>(options);
            reader.End();
            handler(first, second, third);
        });
    }

    private static TaskCompletionSource<Exception?> CreateWhenClosed(bool completed)
    {
        var source = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            source.SetResult(null);
        }
        return source;
    }

    private HubSession CurrentSession()
    {
        lock (_gate)
        {
            return _session ?? throw new HubConnectionClosedException($"The connection is {_state}; call StartAsync first.");
        }
    }

    private void OnSessionClosed(HubSession session, Exception? reason)
    {
        TaskCompletionSource<Exception?> whenClosed;
        lock (_gate)
        {
            if (!ReferenceEquals(_session, session))
            {
                return;
            }
            _session = null;
            _state = HubConnectionState.Disconnected;
            whenClosed = _whenClosed;
        }
        RaiseClosed(reason);
        whenClosed.TrySetResult(reason);
    }

    private void RaiseClosed(Exception? reason)
    {
        if (Closed is not { } closed)
        {
            return;
        }
        foreach (var subscriber in closed.GetInvocationList())
        {
            try
            {
                ((Action<Exception?>)subscriber)(reason);
            }
            catch (Exception ex)
            {
                // One subscriber's failure must not keep the news from the others.
                OnHandlerFailed(nameof(Closed), ex);
            }
        }
    }

    private void OnHandlerFailed(string method, Exception exception)
    {
        try
        {
            HandlerFailed?.Invoke(method, exception);
        }
        catch (Exception)
        {
            // Reporting runs on the receive loop, which a faulty reporter must not take down.
        }
    }
}
