using E2eeChat.Domain.Messages;
using E2eeChat.Server.Errors;
using E2eeChat.Server.Hub;
using E2eeChat.Server.Metrics;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Delivery;

/// <summary>
/// Delivers one device's mailbox over its live connection: the backlog first, in mailbox order, then
/// <c>QueueEmpty</c>, then new envelopes as they commit. At most <see cref="MessagingOptions.DeliveryWindow"/> envelopes
/// are unacknowledged at once; the envelopes it holds (queued announcements and the mailbox page being pushed) stay
/// within <see cref="MessagingOptions.MaxQueuedBytesPerConnection"/>, and a push blocked for longer than
/// <see cref="MessagingOptions.SlowConsumerTimeout"/> closes the connection. An idle pump runs nothing and holds no
/// buffers: a delivery loop starts when there is work it can do and ends when there is none.
/// </summary>
internal sealed partial class MailboxPump : IAsyncDisposable
{
    public const string SlowConsumerReason = "slow_consumer";

    private const int MaxQueued = 1024;
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(2);

    private readonly DeviceKey _device;
    private readonly HubCallerContext _connection;
    private readonly ISingleClientProxy _client;
    private readonly PumpSettings _settings;
    private readonly Lock _gate = new();

    // Guarded by _gate.
    private Queue<Envelope>? _queue;
    private HashSet<Guid>? _inFlight;
    private long _heldBytes;
    private bool _readMailbox;
    private bool _disposed;
    private Task? _run;
    private CancellationTokenSource? _runCancellation;

    // Only the one running loop touches these.
    private long _lastSequence;
    private bool _sentQueueEmpty;

    public MailboxPump(DeviceKey device, HubCallerContext connection, ISingleClientProxy client, PumpSettings settings)
    {
        _device = device;
        _connection = connection;
        _client = client;
        _settings = settings;
    }

    public int Queued
    {
        get
        {
            lock (_gate)
            {
                return _queue?.Count ?? 0;
            }
        }
    }

    /// <summary>Content bytes of the envelopes this pump holds: queued announcements and the mailbox page it pushes.</summary>
    public long HeldBytes
    {
        get
        {
            lock (_gate)
            {
                return _heldBytes;
            }
        }
    }

    /// <summary>Starts delivery: the backlog, then <c>QueueEmpty</c>.</summary>
    public void Start() => Recheck();

    /// <summary>Makes the pump read the mailbox again, for announcements that may have been lost (e.g. while Redis was down).</summary>
    public void Recheck()
    {
        lock (_gate)
        {
            _readMailbox = true;
            RunIfWorkLocked();
        }
    }

    /// <summary>Hands over an envelope that just committed (or an ephemeral one). Never blocks.</summary>
    public void Announce(Envelope envelope)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            var bytes = envelope.Content.Length;
            if (_heldBytes + bytes > _settings.MaxHeldBytes || (_queue?.Count ?? 0) >= MaxQueued)
            {
                // Over budget: not queued; the mailbox has it (an online-only envelope is lost, as for an offline device).
                _readMailbox = true;
            }
            else
            {
                (_queue ??= new Queue<Envelope>()).Enqueue(envelope);
                _heldBytes += bytes;
            }
            RunIfWorkLocked();
        }
    }

    /// <summary>Frees window slots for envelopes this connection delivered and the client acknowledged.</summary>
    public void Acknowledged(IReadOnlyList<Guid> envelopeIds)
    {
        lock (_gate)
        {
            if (_inFlight is null)
            {
                return;
            }
            foreach (var id in envelopeIds)
            {
                _inFlight.Remove(id);
            }
            if (_inFlight.Count == 0)
            {
                // An idle connection keeps no window: a full one holds several KiB.
                _inFlight = null;
            }
            RunIfWorkLocked();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? run;
        CancellationTokenSource? cancellation;
        lock (_gate)
        {
            StopLocked();
            run = _run;
            cancellation = _runCancellation;
        }
        if (run is null)
        {
            return;
        }
        try
        {
            // Outside the lock: cancelling runs continuations.
            await cancellation!.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The loop ended meanwhile.
        }
        await run.ConfigureAwait(false);
    }

    /// <summary>Stopped for good: nothing is started again on this connection, and nothing is held.</summary>
    private void StopLocked()
    {
        _disposed = true;
        _queue = null;
        _heldBytes = 0;
    }

    /// <summary>Envelopes pushed or given up: their bytes leave the budget (a stopped pump holds none already).</summary>
    private void ReleaseLocked(long bytes)
    {
        if (!_disposed)
        {
            _heldBytes -= bytes;
        }
    }

    private int FreeSlotsLocked() => _settings.DeliveryWindow - (_inFlight?.Count ?? 0);

    /// <summary>Starts the delivery loop when none runs and there is something it can do now.</summary>
    private void RunIfWorkLocked()
    {
        if (_run is null && !_disposed && NextWorkLocked(peek: true, out _) != Work.None)
        {
            var cancellation = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _settings.Clock);
            _runCancellation = cancellation;
            _run = Task.Run(() => RunAsync(cancellation));
        }
    }

    private enum Work
    {
        None,
        ReadMailbox,
        Push,
    }

    /// <summary>What the loop does next. A durable push or a mailbox read waits for a free window slot; an ack resumes it.</summary>
    private Work NextWorkLocked(bool peek, out Envelope? envelope)
    {
        envelope = null;
        if (_disposed)
        {
            return Work.None;
        }
        var free = FreeSlotsLocked();
        if (_readMailbox)
        {
            return free > 0 ? Work.ReadMailbox : Work.None;
        }
        if (_queue is not { Count: > 0 } queue)
        {
            return Work.None;
        }
        var next = queue.Peek();
        if (next.Sequence > _lastSequence && free <= 0)
        {
            return Work.None;
        }
        if (!peek)
        {
            envelope = queue.Dequeue();
        }
        return Work.Push;
    }

    /// <param name="cancellation">Cancelled when the pump is disposed, or when a push stays blocked too long.</param>
    private async Task RunAsync(CancellationTokenSource cancellation)
    {
        var cancellationToken = cancellation.Token;
        try
        {
            while (true)
            {
                Work work;
                Envelope? envelope;
                int readLimit;
                lock (_gate)
                {
                    work = NextWorkLocked(peek: false, out envelope);
                    readLimit = 0;
                    if (work == Work.ReadMailbox)
                    {
                        _readMailbox = false;
                        DropQueuedDurableLocked();
                        readLimit = ReadLimitLocked();
                    }
                    else if (work == Work.None)
                    {
                        _run = null;
                        _runCancellation = null;
                        return;
                    }
                }
                if (work == Work.ReadMailbox)
                {
                    await ReadMailboxAsync(readLimit, cancellation).ConfigureAwait(false);
                }
                else
                {
                    await PushAnnouncedAsync(envelope!, cancellation).ConfigureAwait(false);
                }
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested && !IsDisposed())
            {
                CloseSlowConsumer();
            }
            else if (!IsDisposed())
            {
                // The connection is closing: the device drains again on reconnect.
                LogPumpStopped(_settings.Logger, exception, _device.UserId, _device.DeviceId);
            }
            lock (_gate)
            {
                StopLocked();
                _run = null;
                _runCancellation = null;
            }
        }
        finally
        {
            cancellation.Dispose();
        }
    }

    /// <summary>
    /// The mailbox covers every durable envelope announced so far (they committed before they were announced), and the
    /// loop reads it until it is exhausted: the queued copies are dropped rather than held twice.
    /// </summary>
    private void DropQueuedDurableLocked()
    {
        if (_queue is not { Count: > 0 } queue)
        {
            return;
        }
        var count = queue.Count;
        for (var i = 0; i < count; i++)
        {
            var envelope = queue.Dequeue();
            if (envelope.Sequence == 0)
            {
                queue.Enqueue(envelope);
            }
            else
            {
                _heldBytes -= envelope.Content.Length;
            }
        }
    }

    /// <summary>
    /// Envelopes the next mailbox page may have: free window slots, and room in the byte budget beside the online-only
    /// envelopes still queued, counting each page envelope at the largest size (at least one, or delivery would stall).
    /// </summary>
    private int ReadLimitLocked()
    {
        var room = (int)Math.Min((_settings.MaxHeldBytes - _heldBytes) / _settings.MaxEnvelopeBytes, _settings.ReadBatch);
        return Math.Min(Math.Max(room, 1), FreeSlotsLocked());
    }

    private async Task ReadMailboxAsync(int limit, CancellationTokenSource cancellation)
    {
        var page = await ReadUntilAnsweredAsync(limit, cancellation.Token).ConfigureAwait(false);
        long pageBytes = 0;
        for (var i = 0; i < page.Count; i++)
        {
            pageBytes += page[i].Content.Length;
        }
        lock (_gate)
        {
            _heldBytes += pageBytes;
            if (page.Count == limit)
            {
                // Maybe more: read on after this page.
                _readMailbox = true;
            }
            if (_heldBytes > _settings.MaxHeldBytes)
            {
                // Announced while the page was read: the mailbox has them too, so read them after this page rather than
                // hold both.
                DropQueuedDurableLocked();
                _readMailbox = true;
            }
        }
        try
        {
            for (var i = 0; i < page.Count; i++)
            {
                _lastSequence = page[i].Sequence;
                await PushAsync(page[i], durable: true, cancellation).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_gate)
            {
                ReleaseLocked(pageBytes);
            }
        }
        if (page.Count < limit && !_sentQueueEmpty)
        {
            _sentQueueEmpty = true;
            await SendAsync(HubEvents.QueueEmpty, null, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads a mailbox page; while the store does not answer, tries again, less and less often: the device stays
    /// connected and gets what it missed once the store is back, without reconnecting.
    /// </summary>
    private async Task<IReadOnlyList<Envelope>> ReadUntilAnsweredAsync(int limit, CancellationToken cancellationToken)
    {
        var pause = FirstRetry;
        while (true)
        {
            try
            {
                return await _settings.Mailbox.ReadAsync(_device.UserId, _device.DeviceId, _lastSequence, limit,
                    _settings.Clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (StoreFailures.AsRefusal(exception) is not null && !cancellationToken.IsCancellationRequested)
            {
                LogReadFailed(_settings.Logger, exception, _device.UserId, _device.DeviceId, pause);
            }
            await Task.Delay(pause, _settings.Clock, cancellationToken).ConfigureAwait(false);
            pause = pause * 2 < LastRetry ? pause * 2 : LastRetry;
        }
    }

    private async Task PushAnnouncedAsync(Envelope envelope, CancellationTokenSource cancellation)
    {
        try
        {
            if (envelope.Sequence == 0)
            {
                await PushAsync(envelope, durable: false, cancellation).ConfigureAwait(false);
            }
            else if (envelope.Sequence == _lastSequence + 1)
            {
                _lastSequence = envelope.Sequence;
                await PushAsync(envelope, durable: true, cancellation).ConfigureAwait(false);
            }
            else if (envelope.Sequence > _lastSequence)
            {
                // A gap: an earlier commit's announcement is still on its way, or never came. The mailbox has it.
                lock (_gate)
                {
                    _readMailbox = true;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                ReleaseLocked(envelope.Content.Length);
            }
        }
    }

    private async Task PushAsync(Envelope envelope, bool durable, CancellationTokenSource cancellation)
    {
        if (envelope.ExpiresAt is { } expiresAt && expiresAt <= _settings.Clock.GetUtcNow().ToUnixTimeMilliseconds())
        {
            return;
        }
        if (durable)
        {
            lock (_gate)
            {
                (_inFlight ??= []).Add(envelope.Id);
            }
        }
        await SendAsync(HubEvents.Envelope, envelope, cancellation).ConfigureAwait(false);
        _settings.Metrics.EnvelopeDelivered();
    }

    /// <summary>
    /// One hub message, given <see cref="MessagingOptions.SlowConsumerTimeout"/> to leave: SignalR's send completes once
    /// the transport took it, and blocks while the transport's buffer is full (the client is not reading).
    /// </summary>
    private async Task SendAsync(string method, object? argument, CancellationTokenSource cancellation)
    {
        var cancellationToken = cancellation.Token;
        cancellation.CancelAfter(_settings.SlowConsumerTimeout);
        if (argument is null)
        {
            await _client.SendAsync(method, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _client.SendAsync(method, argument, cancellationToken).ConfigureAwait(false);
        }
        // SignalR aborts the connection when a flush it was waiting for is cancelled, and completes the send quietly.
        cancellationToken.ThrowIfCancellationRequested();
        cancellation.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    private void CloseSlowConsumer()
    {
        // No Revoked: there is no room to send one. The envelopes stay in the mailbox for the next connection.
        LogSlowConsumer(_settings.Logger, _device.UserId, _device.DeviceId, _settings.SlowConsumerTimeout);
        _settings.Metrics.SlowConsumerClosed();
        _connection.Abort();
    }

    private bool IsDisposed()
    {
        lock (_gate)
        {
            return _disposed;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading the mailbox of {UserId}/{DeviceId} failed; trying again in {Pause}")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, Guid userId, int deviceId, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mailbox delivery to {UserId}/{DeviceId} stopped")]
    private static partial void LogPumpStopped(ILogger logger, Exception exception, Guid userId, int deviceId);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Closed the connection of {UserId}/{DeviceId}: a push stayed blocked for {Timeout} (slow_consumer)")]
    private static partial void LogSlowConsumer(ILogger logger, Guid userId, int deviceId, TimeSpan timeout);
}
