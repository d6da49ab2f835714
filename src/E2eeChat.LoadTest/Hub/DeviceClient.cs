using E2eeChat.LoadTest.Accounts;
using E2eeChat.LoadTest.Metrics;
using Microsoft.AspNetCore.SignalR.Client;

namespace E2eeChat.LoadTest.Hub;

/// <summary>
/// One device's hub connection: it records every envelope that arrives, acknowledges it (unless a fault
/// says not to), counts the receipts it hears, and notes when the server says the backlog is drained.
/// </summary>
internal sealed class DeviceClient : IAsyncDisposable
{
    private readonly DeliveryRecorder _recorder;
    private readonly RunCounters _counters;
    private readonly AckBatcher _acks;
    private readonly TaskCompletionSource _firstEnvelope = NewSignal();
    private TaskCompletionSource _queueEmpty = NewSignal();
    private long _queueEmptyAt;
    private volatile bool _stopping;

    public DeviceClient(LoadDevice device, HubEndpoint endpoint, DeliveryRecorder recorder, RunCounters counters)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(endpoint);
        Device = device;
        _recorder = recorder;
        _counters = counters;
        Connection = endpoint.Create(device.AccessToken);
        _acks = new AckBatcher(Connection, counters);
        Connection.On<ArrivedEnvelope>("Envelope", OnEnvelope);
        Connection.On("QueueEmpty", OnQueueEmpty);
        // Every device of a sender hears the receipts of what it sent; unhandled, the client would fail to bind each
        // event (an exception per event) and drop it.
        Connection.On<ArrivedReceipts>("Receipts", receipts => Interlocked.Add(ref _counters.Receipts, receipts.Count));
        Connection.Closed += OnClosedAsync;
    }

    public LoadDevice Device { get; }

    public HubConnection Connection { get; }

    public DeviceInbox Inbox { get; } = new();

    /// <summary>Fault injection: receive but never acknowledge, so the server keeps everything queued.</summary>
    public bool DropAcks { get; set; }

    /// <summary>Completes when the server sent <c>QueueEmpty</c> on the latest connection.</summary>
    public Task QueueEmpty => Volatile.Read(ref _queueEmpty).Task;

    /// <summary>Completes when the first envelope of the run arrived.</summary>
    public Task FirstEnvelope => _firstEnvelope.Task;

    /// <summary>When <c>QueueEmpty</c> arrived, on the <see cref="RunClock"/>.</summary>
    public long QueueEmptyAt => Volatile.Read(ref _queueEmptyAt);

    /// <summary>Connects; false (and counted, with the reason logged) when the server refused or the handshake failed.</summary>
    public async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        _stopping = false;
        _acks.Stopping = false;
        Volatile.Write(ref _queueEmpty, NewSignal());
        Interlocked.Increment(ref _counters.ConnectAttempts);
        try
        {
            await Connection.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (HubFailures.IsConnectFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _counters.ConnectFailures);
            _counters.ErrorLog.Record("connect", exception);
            return false;
        }
        Interlocked.Increment(ref _counters.ConnectionsOpen);
        return true;
    }

    /// <summary>Closes the connection on purpose: neither the close nor acks cut short by it count as errors.</summary>
    public Task DisconnectAsync()
    {
        _stopping = true;
        _acks.Stopping = true;
        return Connection.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _acks.Stopping = true;
        await Connection.DisposeAsync().ConfigureAwait(false);
    }

    private void OnEnvelope(ArrivedEnvelope envelope)
    {
        try
        {
            _recorder.Record(Inbox, envelope);
            if (!_firstEnvelope.Task.IsCompleted)
            {
                _firstEnvelope.TrySetResult();
            }
            if (!DropAcks)
            {
                _acks.Add(envelope.Id);
            }
        }
        catch (Exception exception)
        {
            // The client would only log it, with no logger here: count it, so that the run shows it.
            OnHandlerFailed("Envelope", exception);
        }
    }

    private void OnQueueEmpty()
    {
        Volatile.Write(ref _queueEmptyAt, RunClock.Now);
        Volatile.Read(ref _queueEmpty).TrySetResult();
    }

    private Task OnClosedAsync(Exception? reason)
    {
        Interlocked.Decrement(ref _counters.ConnectionsOpen);
        if (!_stopping)
        {
            // The server closing the socket without an error is a drop all the same.
            Interlocked.Increment(ref _counters.UnexpectedDisconnects);
            _counters.ErrorLog.Record("disconnect", reason ?? new IOException("The server closed the connection."));
        }
        return Task.CompletedTask;
    }

    private void OnHandlerFailed(string method, Exception exception)
    {
        Interlocked.Increment(ref _counters.HandlerErrors);
        _counters.ErrorLog.Record($"handler {method}", exception);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
