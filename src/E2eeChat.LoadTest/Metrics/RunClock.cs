using System.Diagnostics;

namespace E2eeChat.LoadTest.Metrics;

/// <summary>
/// Times on the process's monotonic <see cref="Stopwatch"/> clock, which the payload carries too, and
/// the measured window: warm-up before it is sent and delivered like the rest but left out of the stats.
/// </summary>
internal sealed class RunClock
{
    private long _windowStart = long.MaxValue;
    private long _windowEnd = long.MaxValue;

    public static long Now => Stopwatch.GetTimestamp();

    public long WindowStart => Volatile.Read(ref _windowStart);

    public long WindowEnd => Volatile.Read(ref _windowEnd);

    public TimeSpan WindowLength => WindowStart == long.MaxValue ? TimeSpan.Zero : Stopwatch.GetElapsedTime(WindowStart, WindowEnd);

    public static long After(long timestamp, TimeSpan span) => timestamp + (long)(span.TotalSeconds * Stopwatch.Frequency);

    public static long ToMicroseconds(long ticks) => (long)(ticks * (1_000_000.0 / Stopwatch.Frequency));

    public static double ToSeconds(long ticks) => ticks / (double)Stopwatch.Frequency;

    /// <summary>Opens the measured window <paramref name="warmup"/> after <paramref name="origin"/>, for <paramref name="measured"/>.</summary>
    public void SetWindow(long origin, TimeSpan warmup, TimeSpan measured)
    {
        var start = After(origin, warmup);
        Volatile.Write(ref _windowEnd, After(start, measured));
        Volatile.Write(ref _windowStart, start);
    }

    /// <summary>Ends the measured window early, at <paramref name="end"/>.</summary>
    public void CloseWindow(long end) => Volatile.Write(ref _windowEnd, Math.Min(end, WindowEnd));

    public bool InWindow(long timestamp) => timestamp >= WindowStart && timestamp < WindowEnd;

    /// <summary>Waits until <paramref name="timestamp"/> on this clock; returns at once when it has passed.</summary>
    public static Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var remaining = timestamp - Now;
        return remaining <= 0
            ? Task.CompletedTask
            : Task.Delay(TimeSpan.FromSeconds(ToSeconds(remaining)), cancellationToken);
    }
}
