using E2eeChat.Domain.Push;
using E2eeChat.Server.Delivery;

namespace E2eeChat.Server.Push;

/// <summary>
/// Sends the queued wake-ups, a few at a time, off every send's path. For each device: if it has a live connection on
/// any instance, nothing; else it claims the device's pending flag in the store (so one wake-up per offline burst,
/// whichever instances commit the sends) and sends one content-free wake-up. A 404/410 removes the registration;
/// 429/5xx and silence are retried after Retry-After or a growing pause, up to <see cref="PushOptions.MaxAttempts"/>;
/// a wake-up given up on clears the flag so the next envelope tries again. Nothing here throws out of the loop.
/// </summary>
internal sealed partial class PushSender : BackgroundService
{
    private const int Concurrency = 8;
    private static readonly TimeSpan FirstRetryPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetryPause = TimeSpan.FromMinutes(10);

    private readonly WakeUps _wakeUps;
    private readonly IDeviceBus _bus;
    private readonly IPushRegistrationStore _registrations;
    private readonly PushOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<PushSender> _logger;
    private readonly HttpClient _http;
    private readonly WebPushTransport _webPush;
    private readonly GatewayTransport _gateway;

    public PushSender(WakeUps wakeUps, IDeviceBus bus, IPushRegistrationStore registrations, PushOptions options, VapidKeys vapid,
        TimeProvider clock, ILogger<PushSender> logger)
    {
        _wakeUps = wakeUps;
        _bus = bus;
        _registrations = registrations;
        _options = options;
        _clock = clock;
        _logger = logger;
        _http = PushEgress.Create(options);
        _webPush = new WebPushTransport(_http, vapid, options, clock);
        _gateway = new GatewayTransport(_http, clock);
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Parallel.ForEachAsync(_wakeUps.Reader.ReadAllAsync(stoppingToken),
                new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = stoppingToken },
                async (wakeUp, cancellationToken) => await SendAsync(wakeUp, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: queued wake-ups are dropped; their devices find their mail when they connect.
        }
    }

    private async Task SendAsync(WakeUp wakeUp, CancellationToken cancellationToken)
    {
        var device = wakeUp.Device;
        if (wakeUp.Registration is null)
        {
            _wakeUps.Dequeued(device);
        }
        var claimed = wakeUp.Registration;
        try
        {
            if (await _bus.IsConnectedAnywhereAsync(device, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
            claimed ??= await _registrations.ClaimWakeUpAsync(device.UserId, device.DeviceId, cancellationToken).ConfigureAwait(false);
            if (claimed is not { } registration)
            {
                return;
            }
            var attempt = registration.Kind == PushKind.WebPush
                ? await _webPush.SendAsync(registration, cancellationToken).ConfigureAwait(false)
                : await _gateway.SendAsync(registration, cancellationToken).ConfigureAwait(false);
            await HandleAsync(wakeUp with { Registration = registration }, attempt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(_logger, exception, device.UserId, device.DeviceId);
            await ReleaseAsync(device, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (claimed is not null)
        {
            await ReleaseOnShutdownAsync(device).ConfigureAwait(false);
        }
        finally
        {
            _wakeUps.Done();
        }
    }

    private async Task HandleAsync(WakeUp wakeUp, PushAttempt attempt, CancellationToken cancellationToken)
    {
        var device = wakeUp.Device;
        switch (attempt.Outcome)
        {
            case PushOutcome.Delivered:
                LogDelivered(_logger, device.UserId, device.DeviceId);
                break;
            case PushOutcome.Gone:
                await _registrations.RemoveIfUnchangedAsync(wakeUp.Registration!, cancellationToken).ConfigureAwait(false);
                LogGone(_logger, device.UserId, device.DeviceId, attempt.Status);
                break;
            case PushOutcome.Retry when wakeUp.Attempt < _options.MaxAttempts && RetryPause(wakeUp.Attempt, attempt) is { } pause:
                LogRetrying(_logger, device.UserId, device.DeviceId, attempt.Status, pause);
                _wakeUps.RetryPending();
                _ = RetryLaterAsync(wakeUp with { Attempt = wakeUp.Attempt + 1 }, pause, cancellationToken);
                break;
            default:
                LogDropped(_logger, device.UserId, device.DeviceId, attempt.Status, wakeUp.Attempt);
                await ReleaseAsync(device, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The service's Retry-After, else 1 s, 2 s, 4 s…; null when it asks for longer than this server waits.</summary>
    private static TimeSpan? RetryPause(int attemptsMade, PushAttempt attempt)
    {
        var pause = attempt.RetryAfter ?? FirstRetryPause * Math.Pow(2, attemptsMade - 1);
        return pause <= LongestRetryPause ? pause : null;
    }

    private async Task RetryLaterAsync(WakeUp retry, TimeSpan pause, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(pause, _clock, cancellationToken).ConfigureAwait(false);
            if (!_wakeUps.TryRequeue(retry))
            {
                _wakeUps.Done();
                LogDropped(_logger, retry.Device.UserId, retry.Device.DeviceId, status: null, retry.Attempt - 1);
                await ReleaseAsync(retry.Device, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            await ReleaseOnShutdownAsync(retry.Device).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Shutting down with a wake-up claimed but not delivered: give the flag back, briefly, so the device's next
    /// envelope wakes it (a crash here leaves the flag set until the device next connects).
    /// </summary>
    private async Task ReleaseOnShutdownAsync(DeviceKey device)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _registrations.ClearWakeUpAsync(device.UserId, device.DeviceId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogFailed(_logger, exception, device.UserId, device.DeviceId);
        }
    }

    /// <summary>A wake-up that was not delivered must not hold the flag: the next envelope for the device tries again.</summary>
    private async Task ReleaseAsync(DeviceKey device, CancellationToken cancellationToken)
    {
        try
        {
            await _registrations.ClearWakeUpAsync(device.UserId, device.DeviceId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(_logger, exception, device.UserId, device.DeviceId);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Push wake-up delivered to the push service for {UserId}/{DeviceId}")]
    private static partial void LogDelivered(ILogger logger, Guid userId, int deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "The push service answered {Status} for {UserId}/{DeviceId}: its registration is removed")]
    private static partial void LogGone(ILogger logger, Guid userId, int deviceId, int? status);

    [LoggerMessage(Level = LogLevel.Information, Message = "The push service answered {Status} for {UserId}/{DeviceId}; trying again in {Pause}")]
    private static partial void LogRetrying(ILogger logger, Guid userId, int deviceId, int? status, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push wake-up for {UserId}/{DeviceId} given up after {Attempts} attempt(s), last answer {Status}")]
    private static partial void LogDropped(ILogger logger, Guid userId, int deviceId, int? status, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push wake-up for {UserId}/{DeviceId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid userId, int deviceId);
}
