using E2eeChat.Domain.Sessions;
using StackExchange.Redis;

namespace E2eeChat.Server.Delivery;

/// <summary>
/// Closes the hub connections of this instance whose session has ended, every <c>Sessions:LiveCheckInterval</c> and
/// at once when Redis comes back. Logout and device removal reach connections over the device bus immediately; this is
/// for what the bus could not carry (a revocation published while Redis was unreachable, on any instance).
/// Connections whose access token expires are closed by SignalR itself (<c>CloseOnAuthenticationExpiration</c>).
/// </summary>
internal sealed partial class LiveSessionAudit(
    DeviceConnections connections,
    SessionService sessions,
    SessionTokenOptions options,
    IServiceProvider services,
    TimeProvider clock,
    ILogger<LiveSessionAudit> logger) : BackgroundService
{
    public const string Reason = "session_ended";

    // A store query stays small and within SQLite's parameter limit.
    private const int QueryBatch = 1000;

    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var redis = services.GetService<IConnectionMultiplexer>();
        if (redis is not null)
        {
            redis.ConnectionRestored += OnRedisRestored;
        }
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using (var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    var wait = _wake.WaitAsync(tick.Token);
                    await Task.WhenAny(wait, Task.Delay(options.LiveCheckInterval, clock, tick.Token)).ConfigureAwait(false);
                    await tick.CancelAsync().ConfigureAwait(false);
                }
                stoppingToken.ThrowIfCancellationRequested();
                await CheckAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (redis is not null)
            {
                redis.ConnectionRestored -= OnRedisRestored;
            }
        }
    }

    /// <summary>One pass: asks the store about every live session here and closes the connections of ended ones.</summary>
    public async Task<int> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var active = new HashSet<Guid>();
            foreach (var batch in connections.LiveSessions().Chunk(QueryBatch))
            {
                active.UnionWith(await sessions.ActiveAmongAsync(batch, cancellationToken).ConfigureAwait(false));
            }
            var closed = await connections.CloseEndedSessionsAsync(active, Reason).ConfigureAwait(false);
            if (closed > 0)
            {
                LogClosed(logger, closed);
            }
            return closed;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The store is down: nothing can be decided now, and the next pass tries again.
            LogFailed(logger, exception);
            return 0;
        }
    }

    private void OnRedisRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription && _wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another restore already woke the audit.
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Count} hub connections whose session had ended")]
    private static partial void LogClosed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the sessions of live hub connections failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
