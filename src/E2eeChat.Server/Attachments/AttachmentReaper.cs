using E2eeChat.Domain.Attachments;

namespace E2eeChat.Server.Attachments;

/// <summary>Deletes attachments past their retention and unfinished uploads past their <c>Upload-Expires</c>.</summary>
internal sealed partial class AttachmentReaper(IAttachmentStore store, AttachmentOptions options, TimeProvider clock,
    ILogger<AttachmentReaper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ReaperInterval, clock);
        do
        {
            try
            {
                var deleted = await store.DeleteExpiredAsync(clock.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                if (deleted > 0)
                {
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired attachments")]
    private static partial void LogReaped(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired attachments failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
