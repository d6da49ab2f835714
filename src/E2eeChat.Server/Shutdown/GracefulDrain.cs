using System.Runtime.InteropServices;
using E2eeChat.Server.Delivery;

namespace E2eeChat.Server.Shutdown;

/// <summary>
/// On SIGTERM: readiness goes 503; after <see cref="ShutdownOptions.ReadinessDelay"/> new requests and hub connections
/// are refused (503, nginx retries them elsewhere); the requests in flight finish, within
/// <see cref="ShutdownOptions.DrainTimeout"/>; then every device connection hears <c>Revoked("draining")</c>. Only then
/// does the host stop, and SignalR closes the connections; each client reconnects to another instance and reads its
/// mailbox there.
/// Sends are committed before they are answered, so a send cut off by the close is retried with its messageId and
/// stored once.
/// </summary>
internal sealed partial class GracefulDrain : IHostedLifecycleService, IDisposable
{
    public const string DrainingReason = "draining";

    private readonly DrainState _state;
    private readonly ShutdownOptions _options;
    private readonly DeviceConnections _connections;
    private readonly TimeProvider _clock;
    private readonly ILogger<GracefulDrain> _logger;
    private PosixSignalRegistration? _sigterm;
    private readonly Lazy<Task> _drain;

    public GracefulDrain(DrainState state, ShutdownOptions options, DeviceConnections connections, TimeProvider clock,
        ILogger<GracefulDrain> logger)
    {
        _state = state;
        _options = options;
        _connections = connections;
        _clock = clock;
        _logger = logger;
        _drain = new Lazy<Task>(DrainAsync);
    }

    /// <summary>Stopping by other means (SIGINT, StopApplication) drains too, as far as the host still allows.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken) => _drain.Value.WaitAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The host's own SIGTERM handler stops the application at once, and SignalR closes every connection the moment it
    /// does. .NET runs the handlers of a signal from the last registered to the first; this one, registered after the
    /// host's (in WaitForStartAsync), runs first and returns only when drained.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => _drain.Value.GetAwaiter().GetResult());
        }
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _sigterm?.Dispose();

    private async Task DrainAsync()
    {
        _state.Begin();
        LogDraining(_logger, _state.InFlight, _connections.Count);
        if (_options.ReadinessDelay > TimeSpan.Zero)
        {
            await Task.Delay(_options.ReadinessDelay, _clock).ConfigureAwait(false);
        }
        _state.RefuseRequests();
        try
        {
            await _state.Idle.WaitAsync(_options.DrainTimeout, _clock).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogTimedOut(_logger, _state.InFlight, _options.DrainTimeout);
        }
        await _connections.TellAllAsync(DrainingReason).ConfigureAwait(false);
        LogDrained(_logger);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining: readiness is 503; {Requests} requests in flight, {Connections} device connections")]
    private static partial void LogDraining(ILogger logger, int requests, int connections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain timed out with {Requests} requests in flight after {Timeout}")]
    private static partial void LogTimedOut(ILogger logger, int requests, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drained: device connections told to reconnect elsewhere; the server stops and closes them")]
    private static partial void LogDrained(ILogger logger);
}
