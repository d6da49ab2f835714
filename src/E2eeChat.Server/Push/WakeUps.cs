using System.Collections.Concurrent;
using System.Threading.Channels;
using E2eeChat.Domain.Messages;
using E2eeChat.Domain.Push;
using E2eeChat.Server.Delivery;

namespace E2eeChat.Server.Push;

/// <summary>One wake-up to send: first try (no registration claimed yet) or a retry of a claimed one.</summary>
internal readonly record struct WakeUp(DeviceKey Device, PushRegistration? Registration, int Attempt);

/// <summary>
/// Where committed sends leave their wake-ups: a bounded queue, written without waiting, that <see cref="PushSender"/>
/// drains in the background; a device already queued is not queued twice. And the other end of coalescing: a device
/// that connects or disconnects clears its pending flag, so its next envelope may wake it again.
/// </summary>
public sealed partial class WakeUps
{
    private readonly Channel<WakeUp> _queue;
    private readonly ConcurrentDictionary<DeviceKey, byte> _queued = new();
    private readonly IPushRegistrationStore _registrations;
    private readonly ILogger<WakeUps> _logger;
    private int _outstanding;

    public WakeUps(PushOptions options, IPushRegistrationStore registrations, ILogger<WakeUps> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _queue = Channel.CreateBounded<WakeUp>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = false,
        });
        _registrations = registrations;
        _logger = logger;
    }

    internal ChannelReader<WakeUp> Reader => _queue.Reader;

    /// <summary>Wake-ups queued, being sent, or waiting to be tried again.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>
    /// Durable, urgent envelopes were committed and announced, and these reached no connection the bus heard of: queue a
    /// wake-up for each of their devices. Never waits.
    /// </summary>
    public void Offer(IReadOnlyList<Envelope> envelopes)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        for (var i = 0; i < envelopes.Count; i++)
        {
            var device = new DeviceKey(envelopes[i].DestinationUserId, envelopes[i].DestinationDeviceId);
            if (!_queued.TryAdd(device, 0))
            {
                continue;
            }
            Interlocked.Increment(ref _outstanding);
            if (!_queue.Writer.TryWrite(new WakeUp(device, Registration: null, Attempt: 1)))
            {
                Interlocked.Decrement(ref _outstanding);
                _queued.TryRemove(device, out _);
                LogQueueFull(_logger);
            }
        }
    }

    /// <summary>The device connected or went away: whatever was pending is answered, the next envelope may wake it.</summary>
    public Task ConnectionChangedAsync(DeviceKey device, CancellationToken cancellationToken) =>
        _registrations.ClearWakeUpAsync(device.UserId, device.DeviceId, cancellationToken);

    internal void Dequeued(DeviceKey device) => _queued.TryRemove(device, out _);

    /// <summary>A wake-up will be tried again later; it stays outstanding until then.</summary>
    internal void RetryPending() => Interlocked.Increment(ref _outstanding);

    internal bool TryRequeue(WakeUp retry) => _queue.Writer.TryWrite(retry);

    /// <summary>A wake-up was sent, given up on, or found needless.</summary>
    internal void Done() => Interlocked.Decrement(ref _outstanding);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The push wake-up queue is full; a wake-up was dropped (the device finds its mail when it connects)")]
    private static partial void LogQueueFull(ILogger logger);
}
