using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using E2eeChat.Redis.Protocol;

namespace E2eeChat.Redis.Transport;

/// <summary>
/// One TCP connection to the server, never reopened: when it fails it fails every command in
/// flight and reports itself closed; <see cref="ConnectionSupervisor"/> opens the next one.
/// Callers encode their commands under one lock into an in-memory pipe, which fixes both the
/// byte order on the wire and the order of <see cref="PendingReplyQueue"/>; a single send loop
/// drains the pipe to the socket, so commands issued while it is busy go out together.
/// </summary>
internal sealed class RespConnection : IAsyncDisposable
{
    // The pipe must never make a caller wait (that would happen under the write lock);
    // back-pressure comes from the command timeout instead.
    private static readonly PipeOptions OutboundOptions = new(
        pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: 16 * 1024, useSynchronizationContext: false);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Pipe _outbound = new(OutboundOptions);
    private readonly PendingReplyQueue _pending = new();
    private readonly Lock _writeGate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _commandTimeout;
    private readonly long _commandTimeoutTicks;
    private readonly string _endpoint;
    private readonly string _owner;
    private readonly Func<RedisReply, bool>? _pushHandler;
    private readonly Action<RespConnection, Exception> _onClosed;
    private readonly Func<PendingReply, int, Exception> _timeoutFactory;
    private readonly ITimer _timeoutSweep;
    private Task _sendLoop = Task.CompletedTask;
    private Task _receiveLoop = Task.CompletedTask;
    private Exception? _closeReason;
    private bool _closed;

    private RespConnection(Socket socket, RedisOptions options, TimeProvider time, string owner,
        Func<RedisReply, bool>? pushHandler, Action<RespConnection, Exception> onClosed)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _time = time;
        _commandTimeout = options.CommandTimeout;
        _commandTimeoutTicks = (long)(options.CommandTimeout.TotalSeconds * time.TimestampFrequency);
        _endpoint = options.Endpoint;
        _owner = owner;
        _pushHandler = pushHandler;
        _onClosed = onClosed;
        _timeoutFactory = CreateTimeoutException;
        // Timeouts are swept, not timed one by one: a timer per command would cost more than the command.
        var sweepPeriod = TimeSpan.FromTicks(Math.Clamp(options.CommandTimeout.Ticks / 8,
            TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _timeoutSweep = time.CreateTimer(static state => ((RespConnection)state!).SweepTimeouts(), this,
            sweepPeriod, sweepPeriod);
    }

    public bool IsOpen => !Volatile.Read(ref _closed);

    public string Endpoint => _endpoint;

    /// <summary>
    /// Connects, authenticates, selects the database and names the client, all within the
    /// connect timeout. Every way this can fail surfaces as <see cref="RedisConnectionException"/>,
    /// except the caller's own cancellation.
    /// </summary>
    public static async Task<RespConnection> OpenAsync(RedisOptions options, TimeProvider time, string owner,
        Func<RedisReply, bool>? pushHandler, Action<RespConnection, Exception> onClosed,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RespConnection? connection = null;
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            await socket.ConnectAsync(options.Host, options.Port, linked.Token).ConfigureAwait(false);
            connection = new RespConnection(socket, options, time, owner, pushHandler, onClosed);
            connection.Start();
            await connection.HandshakeAsync(options, linked.Token).ConfigureAwait(false);
            return connection;
        }
        catch (Exception exception)
        {
            if (connection is not null)
            {
                connection.Close(exception);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            socket.Dispose();
            var translated = TranslateOpenFailure(exception, options, cancellationToken);
            if (translated is null)
            {
                throw;
            }
            throw translated;
        }
    }

    /// <summary>Queues one command. Never blocks: the work under the lock is encoding bytes into memory.</summary>
    public ValueTask<RedisReply> SendAsync(ReadOnlySpan<RedisArgument> command, CancellationToken cancellationToken)
    {
        RespWriter.Validate(command);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RedisReply>(cancellationToken);
        }
        var name = command[0].Kind == RedisArgumentKind.Text ? command[0].Text : null;
        var pending = new PendingReply(name, _time.GetTimestamp());
        pending.CancelWith(cancellationToken);
        lock (_writeGate)
        {
            if (_closed)
            {
                pending.TrySetException(ClosedException());
                return pending.AsValueTask();
            }
            _pending.Enqueue(pending);
            var output = _outbound.Writer;
            RespWriter.WriteCommand(output, command);
            var flush = output.FlushAsync(CancellationToken.None);
            Debug.Assert(flush.IsCompleted, "A pipe without a pause threshold completes flushes at once.");
            if (!flush.IsCompleted)
            {
                // Unreachable with the options above; kept so the ValueTask is always consumed.
                _ = flush.AsTask();
            }
            else
            {
                flush.GetAwaiter().GetResult();
            }
        }
        return pending.AsValueTask();
    }

    /// <summary>
    /// Closes the socket and fails every command in flight. Idempotent; the first reason wins.
    /// An <see cref="ObjectDisposedException"/> reason means the owner was disposed.
    /// </summary>
    public void Close(Exception reason)
    {
        lock (_writeGate)
        {
            if (_closed)
            {
                return;
            }
            _closeReason = reason;
            Volatile.Write(ref _closed, true);
            _outbound.Writer.Complete();
        }
        _timeoutSweep.Dispose();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer: nothing left to shut down.
        }
        _socket.Dispose();

        var drained = _pending.DrainAll();
        for (var i = 0; i < drained.Count; i++)
        {
            drained[i].TrySetException(FailureFor(reason, head: i == 0));
        }
        _onClosed(this, reason);
    }

    public async ValueTask DisposeAsync()
    {
        Close(new ObjectDisposedException(_owner));
        await _sendLoop.ConfigureAwait(false);
        await _receiveLoop.ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private static RedisConnectionException? TranslateOpenFailure(Exception exception, RedisOptions options,
        CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        OperationCanceledException => new RedisConnectionException(
            $"Timed out after {options.ConnectTimeout.TotalMilliseconds:0} ms connecting to {options.Endpoint}.", exception),
        SocketException socketError => new RedisConnectionException(
            $"Cannot connect to {options.Endpoint}: {socketError.Message}", exception),
        RedisServerException serverError => new RedisConnectionException(
            $"{options.Endpoint} refused the connection handshake: {serverError.Message}", exception),
        RedisConnectionException => null,
        RedisException or IOException => new RedisConnectionException(
            $"The connection handshake with {options.Endpoint} failed: {exception.Message}", exception),
        _ => null,
    };

    private void Start()
    {
        _sendLoop = Task.Run(SendLoopAsync);
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    private async Task HandshakeAsync(RedisOptions options, CancellationToken cancellationToken)
    {
        // Pipelined: one round trip however many steps there are. PING last, so that a server
        // demanding a password we lack fails here and not on the first real command.
        var auth = options.Password is null
            ? default
            : options.User is null
                ? SendAsync(["AUTH", options.Password], cancellationToken)
                : SendAsync(["AUTH", options.User, options.Password], cancellationToken);
        var select = options.Database == 0 ? default : SendAsync(["SELECT", options.Database], cancellationToken);
        var name = options.ClientName is null
            ? default
            : SendAsync(["CLIENT", "SETNAME", options.ClientName], cancellationToken);
        var ping = SendAsync(["PING"], cancellationToken);
        await auth.ConfigureAwait(false);
        await select.ConfigureAwait(false);
        await name.ConfigureAwait(false);
        await ping.ConfigureAwait(false);
    }

    private async Task SendLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    await _stream.WriteAsync(segment).ConfigureAwait(false);
                }
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception exception)
        {
            // Whatever broke the socket, the connection is unusable; closing it fails the waiters.
            Close(Lost(exception));
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var reader = PipeReader.Create(_stream,
            new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        Exception failure;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                while (RespReader.TryRead(ref buffer, out var reply))
                {
                    Deliver(reply);
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    failure = new RedisConnectionException($"{_endpoint} closed the connection.");
                    break;
                }
            }
        }
        catch (RedisProtocolException exception)
        {
            failure = exception;
        }
        catch (Exception exception)
        {
            failure = Lost(exception);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        Close(failure);
    }

    private void Deliver(RedisReply reply)
    {
        if (_pushHandler is not null && _pushHandler(reply))
        {
            return;
        }
        if (!_pending.TryDequeue(out var pending))
        {
            throw new RedisProtocolException($"{_endpoint} sent {reply} while no command was waiting for a reply.");
        }
        if (pending.IsCompleted)
        {
            // Timed out or cancelled: the reply is read only to keep the order.
            return;
        }
        if (reply.Kind == RedisReplyKind.Error)
        {
            pending.TrySetException(new RedisServerException(reply.AsString()!));
        }
        else
        {
            pending.TrySetResult(reply);
        }
    }

    private void SweepTimeouts()
    {
        if (IsOpen)
        {
            _pending.ExpireStartedBefore(_time.GetTimestamp() - _commandTimeoutTicks, _timeoutFactory);
        }
    }

    private RedisTimeoutException CreateTimeoutException(PendingReply pending, int inFlight) =>
        new($"Redis command {pending.CommandName ?? "(binary name)"} got no reply from {_endpoint} within " +
            $"{_commandTimeout.TotalMilliseconds:0} ms ({inFlight} commands in flight on this connection).");

    private RedisConnectionException Lost(Exception exception) =>
        new($"The connection to {_endpoint} was lost: {exception.Message}", exception);

    private Exception ClosedException() => _closeReason is ObjectDisposedException
        ? new ObjectDisposedException(_owner)
        : new RedisConnectionException($"The connection to {_endpoint} is closed.", _closeReason!);

    private Exception FailureFor(Exception reason, bool head) => reason switch
    {
        ObjectDisposedException => new ObjectDisposedException(_owner, "Disposed before the reply arrived."),
        // The command whose reply was malformed learns exactly that; the rest were merely cut off.
        RedisProtocolException when head => reason,
        _ => new RedisConnectionException(
            $"The connection to {_endpoint} closed before the reply arrived, so the command may or may not have run.",
            reason),
    };
}
