using System.Diagnostics;
using E2eeChat.LoadTest.Cli;
using E2eeChat.LoadTest.Metrics;

namespace E2eeChat.LoadTest.Sending;

/// <summary>Paces one stream's sends from its start until the stop time: at a rate (open loop) or one after another (closed loop).</summary>
internal sealed class SenderLoop(StreamSender sender, LoadOptions options, RunCounters counters)
{
    /// <summary>A closed loop pauses this long after a failed send, rather than spin on a broken connection.</summary>
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromMilliseconds(100);

    public async Task RunAsync(long startAt, long stopAt, CancellationToken cancellationToken)
    {
        try
        {
            await RunClock.DelayUntilAsync(startAt, cancellationToken).ConfigureAwait(false);
            switch (options.Loop)
            {
                case SendLoop.Rate:
                    await RunAtRateAsync(startAt, stopAt, cancellationToken).ConfigureAwait(false);
                    break;
                case SendLoop.ClosedOnSend:
                    while (RunClock.Now < stopAt && !cancellationToken.IsCancellationRequested)
                    {
                        if (!await sender.SendAsync(sender.Stream.NextSequence()).ConfigureAwait(false))
                        {
                            await Task.Delay(PauseAfterFailure, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    break;
                case SendLoop.ClosedOnDelivery:
                    while (RunClock.Now < stopAt && !cancellationToken.IsCancellationRequested)
                    {
                        if (!await SendAndAwaitDeliveryAsync().ConfigureAwait(false))
                        {
                            await Task.Delay(PauseAfterFailure, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    break;
                default:
                    throw new InvalidOperationException($"Unknown send loop {options.Loop}.");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped early (Ctrl+C): what was sent is still measured.
        }
    }

    private async Task RunAtRateAsync(long startAt, long stopAt, CancellationToken cancellationToken)
    {
        var ticksPerMessage = Stopwatch.Frequency / options.Rate;
        var inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        long started = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = RunClock.Now;
                if (now >= stopAt)
                {
                    break;
                }
                var due = (long)((now - startAt) / ticksPerMessage) + 1;
                while (started < due && RunClock.Now < stopAt)
                {
                    if (!inFlight.Wait(0))
                    {
                        // The server (or this machine) does not keep up with the offered rate.
                        Interlocked.Increment(ref counters.LateSends);
                        await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    started++;
                    _ = SendReleasingAsync(inFlight);
                }
                await RunClock.DelayUntilAsync(startAt + (long)(started * ticksPerMessage), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Let the sends in flight finish, so that every accepted one is counted.
            for (var i = 0; i < options.MaxInFlight; i++)
            {
                await inFlight.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            inFlight.Dispose();
        }
    }

    private async Task SendReleasingAsync(SemaphoreSlim inFlight)
    {
        try
        {
            await sender.SendAsync(sender.Stream.NextSequence()).ConfigureAwait(false);
        }
        finally
        {
            inFlight.Release();
        }
    }

    /// <summary>False when the send failed.</summary>
    private async Task<bool> SendAndAwaitDeliveryAsync()
    {
        var sequence = sender.Stream.NextSequence();
        var delivered = sender.Stream.ExpectDelivery(sequence);
        if (!await sender.SendAsync(sequence).ConfigureAwait(false))
        {
            return false;
        }
        try
        {
            await delivered.WaitAsync(options.Settle).ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            Interlocked.Increment(ref counters.DeliveryTimeouts);
            counters.ErrorLog.Record("delivery", new TimeoutException(
                $"A message did not reach all {sender.Stream.FanOut} devices within the settle time.", exception));
        }
        return true;
    }
}
