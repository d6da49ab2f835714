using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using E2eeChat.HubClient.Protocol;

namespace E2eeChat.HubClient;

/// <summary>
/// One WebSocket to the hub, from handshake to close: its receive loop, its serialized sends, its
/// keep-alive and its pending invocations. <see cref="HubConnection"/> opens a fresh one on every start.
/// </summary>
internal sealed class HubSession
{
    private const int ReceiveSegmentSize = 4096;
    private const int TargetScratchLength = 128;
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(5);

    private static readonly Action<Utf8JsonWriter, IBufferWriter<byte>, InvocationState> s_writeInvocation =
        static (writer, output, s) =>
            HubProtocolWriter.WriteInvocation(writer, output, s.Id, s.Target, s.Arguments, s.Options);

    private readonly ClientWebSocket _socket;
    private readonly HubConnectionOptions _options;
    private readonly HandlerRegistry _handlers;
    private readonly Action<HubSession, Exception?> _onClosed;
    private readonly Action<string, Exception> _onHandlerFailed;
    private readonly TimeProvider _time;
    private readonly PendingInvocations _pending = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly PooledBufferWriter _sendBuffer = new();
    private readonly RecordSeparatorFramer _framer;
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Utf8JsonWriter? _jsonWriter;
    private ITimer? _keepAlive;
    private long _lastSent;
    private long _lastReceived;
    private volatile bool _stopping;
    private volatile bool _shutDown;
    private HubConnectionClosedException? _timedOut;

    private HubSession(ClientWebSocket socket, HubConnectionOptions options, HandlerRegistry handlers,
        Action<HubSession, Exception?> onClosed, Action<string, Exception> onHandlerFailed, string? connectionId)
    {
        _socket = socket;
        _options = options;
        _handlers = handlers;
        _onClosed = onClosed;
        _onHandlerFailed = onHandlerFailed;
        _time = options.TimeProvider;
        _framer = new RecordSeparatorFramer(options.MaximumReceiveMessageSize);
        ConnectionId = connectionId;
    }

    public string? ConnectionId { get; }

    /// <summary>Negotiates if asked to, opens the WebSocket and completes the handshake. Nothing runs until <see cref="Start"/>.</summary>
    public static async Task<HubSession> ConnectAsync(HubConnectionOptions options, HandlerRegistry handlers,
        Action<HubSession, Exception?> onClosed, Action<string, Exception> onHandlerFailed,
        CancellationToken cancellationToken)
    {
        var accessToken = options.AccessTokenProvider is null
            ? null
            : await options.AccessTokenProvider(cancellationToken).ConfigureAwait(false);
        var negotiated = options.SkipNegotiation
            ? null
            : await Negotiator.NegotiateAsync(options.Url, accessToken, options.HttpMessageHandler, cancellationToken)
                .ConfigureAwait(false);

        var socket = new ClientWebSocket();
        HubSession? session = null;
        try
        {
            // Hub pings already keep the connection alive; WebSocket-level ones would only add traffic.
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            options.ConfigureWebSocket?.Invoke(socket.Options);
            socket.Options.CollectHttpResponseDetails = true;
            var uri = HubUrls.WebSocket(options.Url, negotiated?.ConnectionToken, accessToken);
            await ConnectSocketAsync(socket, uri, options, cancellationToken).ConfigureAwait(false);

            session = new HubSession(socket, options, handlers, onClosed, onHandlerFailed, negotiated?.ConnectionId);
            await session.HandshakeAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            if (session is null)
            {
                socket.Dispose();
            }
            else
            {
                session.Abandon();
            }
            throw;
        }
    }

    /// <summary>Starts the receive loop and the keep-alive timer.</summary>
    public void Start()
    {
        var now = _time.GetTimestamp();
        _lastSent = now;
        _lastReceived = now;
        var smallest = _options.KeepAliveInterval < _options.ServerTimeout ? _options.KeepAliveInterval : _options.ServerTimeout;
        var period = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, smallest.Ticks / 2));

        // The loop and the timer live as long as the connection; they must not keep the starter's async locals.
        using (ExecutionContext.SuppressFlow())
        {
            _keepAlive = _time.CreateTimer(static state => ((HubSession)state!).OnKeepAliveTick(), this, period, period);
            _ = Task.Run(ReceiveLoopAsync);
        }
    }

    public async Task<T?> InvokeAsync<T>(string target, object?[] arguments, bool ignoreResult,
        CancellationToken cancellationToken)
    {
        var invocation = new PendingInvocation<T>(ignoreResult);
        var id = _pending.Add(invocation);
        try
        {
            await SendRecordAsync(new InvocationState(id, target, arguments, _options.SerializerOptions),
                s_writeInvocation, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }
        if (!cancellationToken.CanBeCanceled)
        {
            return await invocation.Task.ConfigureAwait(false);
        }
        // Cancelling stops the wait and forgets the id; a late Completion is then ignored.
        using var registration = cancellationToken.Register(static state =>
        {
            var (pending, id, token) = ((PendingInvocations, long, CancellationToken))state!;
            if (pending.TryRemove(id, out var invocation))
            {
                invocation.Cancel(token);
            }
        }, (_pending, id, cancellationToken));
        return await invocation.Task.ConfigureAwait(false);
    }

    public Task SendAsync(string target, object?[] arguments, CancellationToken cancellationToken) =>
        SendRecordAsync(new InvocationState(0, target, arguments, _options.SerializerOptions), s_writeInvocation,
            cancellationToken);

    /// <summary>Closes the WebSocket politely, or aborts it when that takes too long; returns once the session is over.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (_closed.Task.IsCompleted)
        {
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_closeTimeout);
        try
        {
            await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                if (_socket.State == WebSocketState.Open)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token)
                        .ConfigureAwait(false);
                }
            }
            finally
            {
                _sendLock.Release();
            }
            // The receive loop ends when the server answers the close frame.
            await _closed.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex) || ex is OperationCanceledException)
        {
            _socket.Abort();
        }
        await _closed.Task.ConfigureAwait(false);
    }

    private static async Task ConnectSocketAsync(ClientWebSocket socket, Uri uri, HubConnectionOptions options,
        CancellationToken cancellationToken)
    {
        try
        {
            if (options.HttpMessageHandler is { } handler)
            {
                using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
                await socket.ConnectAsync(uri, invoker, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (WebSocketException ex) when (socket.HttpStatusCode != 0)
        {
            // Said without the URI we connected to: its query carries the access token.
            throw new HttpRequestException(
                $"The WebSocket request to {options.Url} was answered {(int)socket.HttpStatusCode} {socket.HttpStatusCode}, not 101 Switching Protocols.",
                ex, socket.HttpStatusCode);
        }
        finally
        {
            socket.HttpResponseHeaders = null;
        }
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.HandshakeTimeout);
        try
        {
            await _socket.SendAsync(HubProtocolWriter.HandshakeRequest, WebSocketMessageType.Text, endOfMessage: true,
                timeout.Token).ConfigureAwait(false);
            while (!TryReadHandshakeResponse())
            {
                var result = await _socket.ReceiveAsync(_framer.GetReceiveMemory(ReceiveSegmentSize), timeout.Token)
                    .ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new HubConnectionClosedException(
                        $"The server closed the WebSocket during the handshake ({_socket.CloseStatus} {_socket.CloseStatusDescription}).");
                }
                _framer.Advance(result.Count);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"The server did not answer the handshake within {_options.HandshakeTimeout.TotalSeconds:0.###}s.");
        }
    }

    /// <summary>True once the response is read; records after it stay buffered for the receive loop.</summary>
    private bool TryReadHandshakeResponse()
    {
        if (!_framer.TryReadRecord(out var record))
        {
            return false;
        }
        var error = HubProtocolReader.ReadHandshakeError(record);
        if (error is not null)
        {
            throw new InvalidOperationException($"The server rejected the handshake: {error}");
        }
        return true;
    }

    private async Task ReceiveLoopAsync()
    {
        HubConnectionClosedException reason;
        try
        {
            reason = await ReceiveUntilClosedAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever ends the loop becomes the close reason: nothing may escape a detached task.
            reason = DescribeFailure(ex);
        }
        await ShutdownAsync(reason).ConfigureAwait(false);
    }

    private async Task<HubConnectionClosedException> ReceiveUntilClosedAsync()
    {
        while (true)
        {
            if (DispatchBufferedRecords() is { } serverClosed)
            {
                return serverClosed;
            }
            _framer.ReleaseIfEmpty();
            if (_framer.IsEmpty)
            {
                // Wait for data without a buffer, so that an idle connection holds none.
                var probe = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (probe.MessageType == WebSocketMessageType.Close)
                {
                    return TransportClosed();
                }
            }
            var result = await _socket.ReceiveAsync(_framer.GetReceiveMemory(ReceiveSegmentSize), CancellationToken.None)
                .ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return TransportClosed();
            }
            _framer.Advance(result.Count);
            Volatile.Write(ref _lastReceived, _time.GetTimestamp());
        }
    }

    /// <summary>Handles every complete record buffered; returns the close reason when the server sent Close.</summary>
    private HubConnectionClosedException? DispatchBufferedRecords()
    {
        Span<char> targetScratch = stackalloc char[TargetScratchLength];
        while (_framer.TryReadRecord(out var record))
        {
            var message = HubProtocolReader.Parse(record, targetScratch);
            switch (message.Type)
            {
                case HubMessageType.Invocation:
                    RunHandlers(message.Target, message.Arguments);
                    if (!message.InvocationIdJson.IsEmpty)
                    {
                        _ = RefuseResultAsync(message.InvocationIdJson.ToArray(), message.Target.ToString());
                    }
                    break;
                case HubMessageType.Completion:
                    if (_pending.TryRemove(message.InvocationId, out var invocation))
                    {
                        if (message.Error is not null)
                        {
                            invocation.SetError(message.Error);
                        }
                        else
                        {
                            invocation.SetResult(message.Result, _options.SerializerOptions);
                        }
                    }
                    break;
                case HubMessageType.Close:
                    var error = message.Error;
                    return new HubConnectionClosedException(
                        error is null ? "The server closed the connection." : $"The server closed the connection: {error}",
                        error, message.AllowReconnect, innerException: null);
                default:
                    // A Ping only proves the server is alive, which the read already recorded. Streams and
                    // stateful-reconnect messages answer requests this client never makes.
                    break;
            }
        }
        return null;
    }

    private void RunHandlers(ReadOnlySpan<char> target, ReadOnlySpan<byte> arguments)
    {
        // Unknown targets are ignored, as the official clients do.
        var handlers = _handlers.Find(target);
        if (handlers is null)
        {
            return;
        }
        foreach (var handler in handlers)
        {
            try
            {
                handler(arguments);
            }
            catch (Exception ex)
            {
                // A faulty handler is reported; it must not end the connection or skip the others.
                _onHandlerFailed(target.ToString(), ex);
            }
        }
    }

    /// <summary>The server awaits a result (a client result) that this client never gives; say so rather than leave it hanging.</summary>
    private async Task RefuseResultAsync(byte[] invocationIdJson, string target)
    {
        var error = $"The client does not return results; '{target}' was only dispatched to its handlers.";
        try
        {
            await SendRecordAsync((invocationIdJson, error),
                static (writer, output, s) => HubProtocolWriter.WriteCompletionError(writer, output, s.invocationIdJson, s.error),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (HubConnectionClosedException)
        {
            // The connection is going away; the server stops waiting on its own.
        }
    }

    private async Task SendRecordAsync<TState>(TState state, Action<Utf8JsonWriter, IBufferWriter<byte>, TState> write,
        CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_shutDown || _stopping)
            {
                throw new HubConnectionClosedException("The connection is closing.");
            }
            var writer = _jsonWriter ??= new Utf8JsonWriter(_sendBuffer);
            writer.Reset(_sendBuffer);
            write(writer, _sendBuffer, state);
            // Not the caller's token: cancelling a WebSocket send midway would abort the whole connection.
            await _socket.SendAsync(_sendBuffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true,
                CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _lastSent, _time.GetTimestamp());
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            throw new HubConnectionClosedException($"The connection failed while sending: {ex.Message}", ex);
        }
        finally
        {
            _sendBuffer.Reset();
            _sendLock.Release();
        }
    }

    private void OnKeepAliveTick()
    {
        if (_shutDown)
        {
            return;
        }
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(Volatile.Read(ref _lastReceived), now) >= _options.ServerTimeout)
        {
            var timedOut = new HubConnectionClosedException(
                $"Nothing arrived from the server within ServerTimeout ({_options.ServerTimeout.TotalSeconds:0.###}s).",
                new TimeoutException("The server timeout elapsed."));
            if (Interlocked.CompareExchange(ref _timedOut, timedOut, null) is null)
            {
                // Unblocks the pending receive; the loop then reports the timeout.
                _socket.Abort();
            }
            return;
        }
        // When the lock is taken a send is under way, which does the ping's job.
        if (_time.GetElapsedTime(Volatile.Read(ref _lastSent), now) >= _options.KeepAliveInterval
            && !_stopping && _sendLock.Wait(0))
        {
            _ = SendPingHoldingLockAsync();
        }
    }

    private async Task SendPingHoldingLockAsync()
    {
        try
        {
            await _socket.SendAsync(HubProtocolWriter.Ping, WebSocketMessageType.Text, endOfMessage: true,
                CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _lastSent, _time.GetTimestamp());
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            // The receive loop sees the broken connection and reports it.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private HubConnectionClosedException TransportClosed() => new(
        $"The server closed the WebSocket ({_socket.CloseStatus} {_socket.CloseStatusDescription}) without a hub Close message.");

    private HubConnectionClosedException DescribeFailure(Exception exception) => exception switch
    {
        _ when _timedOut is not null => _timedOut,
        HubConnectionClosedException closed => closed,
        InvalidDataException => new HubConnectionClosedException(
            $"The server sent a message this client cannot read: {exception.Message}", exception),
        _ => new HubConnectionClosedException($"The connection failed: {exception.Message}", exception),
    };

    private async Task ShutdownAsync(HubConnectionClosedException reason)
    {
        _shutDown = true;
        _keepAlive?.Dispose();
        var stoppedByCaller = _stopping;
        _pending.Close(stoppedByCaller
            ? static () => new HubConnectionClosedException("The connection was stopped before the invocation completed.")
            : () => new HubConnectionClosedException(
                $"The connection closed before the invocation completed. {reason.Message}",
                reason.ServerError, reason.AllowReconnect, reason));
        await CloseSocketAsync().ConfigureAwait(false);
        _framer.Dispose();

        // The owner raises Closed first, so whoever awaits the end sees its subscribers done.
        Exception? reported = stoppedByCaller ? null : reason;
        _onClosed(this, reported);
        _closed.TrySetResult(reported);
    }

    private async Task CloseSocketAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(s_closeTimeout);
            try
            {
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex) when (IsTransportFailure(ex) || ex is OperationCanceledException)
            {
                // Completing the close handshake is a courtesy; the socket is disposed either way.
            }
        }
        _socket.Dispose();
    }

    /// <summary>Drops a session that completed its handshake but was never started.</summary>
    public void Abandon()
    {
        _socket.Abort();
        _socket.Dispose();
        _framer.Dispose();
    }

    private static bool IsTransportFailure(Exception exception) =>
        exception is WebSocketException or IOException or ObjectDisposedException;

    private readonly record struct InvocationState(long Id, string Target, object?[] Arguments, JsonSerializerOptions Options);
}
