using E2eeChat.Domain.Messages;
using E2eeChat.Server.Metrics;

namespace E2eeChat.Server.Messages;

/// <summary>Deletes envelopes whose TTL passed and everything older than the retention period.</summary>
internal sealed partial class MailboxReaper(IMailboxStore mailbox, MessagingOptions options, TimeProvider clock,
    E2eeChatMetrics metrics, ILogger<MailboxReaper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ReaperInterval, clock);
        do
        {
            try
            {
                var now = clock.GetUtcNow();
                var deleted = await mailbox.DeleteExpiredAsync(now.ToUnixTimeMilliseconds(),
                    (now - options.Retention).ToUnixTimeMilliseconds(), stoppingToken).ConfigureAwait(false);
                if (deleted > 0)
                {
                    metrics.EnvelopesExpired(deleted);
                    LogReaped(logger, deleted);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired envelopes")]
    private static partial void LogReaped(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired envelopes failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
