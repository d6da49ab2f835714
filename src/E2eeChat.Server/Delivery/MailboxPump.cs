using System.Threading.Channels;
using E2eeChat.Domain.Messages;
using E2eeChat.Server.Errors;
using E2eeChat.Server.Hub;
using E2eeChat.Server.Metrics;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Delivery;

/// <summary>
/// Delivers one device's mailbox over its live connection: the backlog first, in mailbox
/// order, then <c>QueueEmpty</c>, then new envelopes as they commit. At most
/// <see cref="MessagingOptions.DeliveryWindow"/> envelopes are unacknowledged at once, and
/// the queue of announcements is bounded in count and in bytes (<see cref="MessagingOptions.MaxQueuedBytesPerConnection"/>),
/// so a slow client costs bounded memory.
/// </summary>
internal sealed partial class MailboxPump : IAsyncDisposable
{
    private const int QueueCapacity = 1024;
    private const int ReadBatch = 100;
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(2);

    private readonly DeviceKey _device;
    private readonly ISingleClientProxy _client;
    private readonly IMailboxStore _mailbox;
    private readonly TimeProvider _clock;
    private readonly E2eeChatMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<Envelope> _announced = Channel.CreateBounded<Envelope>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _window;
    private readonly HashSet<Guid> _inFlight = [];
    private readonly CancellationTokenSource _stop = new();
    // Not an envelope: wakes the loop so it sees the overflow flag.
    private static readonly Envelope RecheckSignal = new(Guid.Empty, Guid.Empty, 0, Guid.Empty, 0, null, Guid.Empty, 0,
        long.MinValue, 0, 0, [], null);

    private readonly long _maxQueuedBytes;
    private long _queuedBytes;
    private long _lastSequence;
    private volatile bool _overflowed;
    private Task _run = Task.CompletedTask;

    public MailboxPump(DeviceKey device, ISingleClientProxy client, IMailboxStore mailbox, MessagingOptions options,
        TimeProvider clock, E2eeChatMetrics metrics, ILogger logger)
    {
        _device = device;
        _client = client;
        _mailbox = mailbox;
        _clock = clock;
        _metrics = metrics;
        _logger = logger;
        _window = new SemaphoreSlim(options.DeliveryWindow, options.DeliveryWindow);
        _maxQueuedBytes = options.MaxQueuedBytesPerConnection;
    }

    public int Queued => _announced.Reader.Count;

    public void Start() => _run = Task.Run(RunAsync);

    /// <summary>Makes the pump read the mailbox again, for announcements that may have been lost (e.g. while Redis was down).</summary>
    public void Recheck()
    {
        _overflowed = true;
        _announced.Writer.TryWrite(RecheckSignal);
    }

    /// <summary>Hands over an envelope that just committed (or an ephemeral one). Never blocks.</summary>
    public void Announce(Envelope envelope)
    {
        // Bounded in bytes as well as in count: a connection that stops reading holds at most its budget.
        var bytes = envelope.Content.Length;
        if (Interlocked.Add(ref _queuedBytes, bytes) > _maxQueuedBytes || !_announced.Writer.TryWrite(envelope))
        {
            Interlocked.Add(ref _queuedBytes, -bytes);
            // The queue is full: the pump reads the mailbox itself once it catches up.
            _overflowed = true;
        }
    }

    /// <summary>Frees window slots for envelopes this connection delivered and the client acknowledged.</summary>
    public void Acknowledged(IReadOnlyList<Guid> envelopeIds)
    {
        var freed = 0;
        lock (_inFlight)
        {
            foreach (var id in envelopeIds)
            {
                if (_inFlight.Remove(id))
                {
                    freed++;
                }
            }
        }
        if (freed > 0)
        {
            _window.Release(freed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _announced.Writer.TryComplete();
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
        _window.Dispose();
    }

    private async Task RunAsync()
    {
        var cancellationToken = _stop.Token;
        try
        {
            await DrainUntilReadAsync(cancellationToken).ConfigureAwait(false);
            await _client.SendAsync(HubEvents.QueueEmpty, cancellationToken).ConfigureAwait(false);
            var reader = _announced.Reader;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var envelope))
                {
                    if (ReferenceEquals(envelope, RecheckSignal))
                    {
                        continue;
                    }
                    Interlocked.Add(ref _queuedBytes, -envelope.Content.Length);
                    if (envelope.Sequence == 0)
                    {
                        await PushAsync(envelope, durable: false, cancellationToken).ConfigureAwait(false);
                    }
                    else if (envelope.Sequence == _lastSequence + 1)
                    {
                        _lastSequence = envelope.Sequence;
                        await PushAsync(envelope, durable: true, cancellationToken).ConfigureAwait(false);
                    }
                    else if (envelope.Sequence > _lastSequence)
                    {
                        // A gap: an earlier commit's announcement is still on its way, or never came. The mailbox has it.
                        await DrainUntilReadAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
                if (_overflowed)
                {
                    _overflowed = false;
                    await DrainUntilReadAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The connection is closing: the device drains again on reconnect.
            LogPumpStopped(_logger, exception, _device.UserId, _device.DeviceId);
        }
    }

    /// <summary>
    /// Drains the mailbox; while the store does not answer, tries again, less and less often: the device stays connected
    /// and gets what it missed once the store is back, without reconnecting.
    /// </summary>
    private async Task DrainUntilReadAsync(CancellationToken cancellationToken)
    {
        var pause = FirstRetry;
        while (true)
        {
            try
            {
                await DrainMailboxAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception exception) when (StoreFailures.AsRefusal(exception) is not null)
            {
                LogReadFailed(_logger, exception, _device.UserId, _device.DeviceId, pause);
            }
            await Task.Delay(pause, _clock, cancellationToken).ConfigureAwait(false);
            pause = pause * 2 < LastRetry ? pause * 2 : LastRetry;
        }
    }

    private async Task DrainMailboxAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await _mailbox.ReadAsync(_device.UserId, _device.DeviceId, _lastSequence, ReadBatch,
                _clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            foreach (var envelope in batch)
            {
                _lastSequence = envelope.Sequence;
                await PushAsync(envelope, durable: true, cancellationToken).ConfigureAwait(false);
            }
            if (batch.Count < ReadBatch)
            {
                return;
            }
        }
    }

    private async Task PushAsync(Envelope envelope, bool durable, CancellationToken cancellationToken)
    {
        if (envelope.ExpiresAt is { } expiresAt && expiresAt <= _clock.GetUtcNow().ToUnixTimeMilliseconds())
        {
            return;
        }
        if (durable)
        {
            await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_inFlight)
            {
                _inFlight.Add(envelope.Id);
            }
        }
        await _client.SendAsync(HubEvents.Envelope, envelope, cancellationToken).ConfigureAwait(false);
        _metrics.EnvelopeDelivered();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading the mailbox of {UserId}/{DeviceId} failed; trying again in {Pause}")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, Guid userId, int deviceId, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mailbox delivery to {UserId}/{DeviceId} stopped")]
    private static partial void LogPumpStopped(ILogger logger, Exception exception, Guid userId, int deviceId);
}
