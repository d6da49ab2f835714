using System.Diagnostics;
using System.Globalization;

namespace E2eeChat.LoadTest.Probes;

/// <summary>CPU time so far: the whole machine's (busy and total), this tool's, the local server's and the watched processes' (seconds per name).</summary>
internal readonly record struct CpuSnapshot(
    long At, double MachineBusySeconds, double MachineTotalSeconds, TimeSpan Tool, TimeSpan? Server, IReadOnlyDictionary<string, double> Watched);

/// <summary>
/// Where the CPU went during a measured window. On a small shared machine the tool, the server and
/// everyone else's work compete for the same cores, so a figure means little without this.
/// </summary>
internal static class MachineCpu
{
    /// <summary>Linux's USER_HZ: /proc reports CPU time in these ticks on every mainstream architecture.</summary>
    public const double TicksPerSecond = 100;

    public static CpuSnapshot Take(LocalServerProbe? server, IReadOnlyList<WatchedProcess> watched)
    {
        var (busy, total) = ReadMachine();
        using var self = Process.GetCurrentProcess();
        return new CpuSnapshot(Stopwatch.GetTimestamp(), busy, total, self.TotalProcessorTime, server?.ReadCpuTime(),
            ProcessTreeCpu.Read(watched));
    }

    /// <summary>utime + stime from a /proc/PID/stat line (the fields after the parenthesized command name).</summary>
    public static TimeSpan? ProcessCpuTime(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the name: state is field 3 of the line, utime 14 and stime 15.
        if (fields.Length < 13
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system))
        {
            return null;
        }
        return TimeSpan.FromSeconds((user + system) / TicksPerSecond);
    }

    /// <summary>Busy and total CPU seconds of all cores since boot, from the first line of /proc/stat; zeros when unreadable.</summary>
    private static (double Busy, double Total) ReadMachine()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var fields = (reader.ReadLine() ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal …
            long total = 0;
            long idle = 0;
            for (var i = 1; i < Math.Min(fields.Length, 9); i++)
            {
                var ticks = long.Parse(fields[i], CultureInfo.InvariantCulture);
                total += ticks;
                if (i is 4 or 5)
                {
                    idle += ticks;
                }
            }
            return ((total - idle) / TicksPerSecond, total / TicksPerSecond);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
            return (0, 0);
        }
    }
}
