using System.Globalization;

namespace E2eeChat.LoadTest.Probes;

/// <summary>A process named on the command line (<c>--cpu-of NAME=PID</c>) whose CPU is reported under NAME.</summary>
internal readonly record struct WatchedProcess(string Name, int Pid);

/// <summary>
/// CPU time of named process trees: each watched process with all of its descendants, live or already
/// reaped (a parent's cutime/cstime holds the children it has waited for). Several processes under one
/// name add up, e.g. every hub instance of a cluster under "hub", or PostgreSQL's postmaster and its backends.
/// </summary>
internal static class ProcessTreeCpu
{
    /// <summary>CPU seconds so far per name; a name whose processes are all gone reads zero.</summary>
    public static IReadOnlyDictionary<string, double> Read(IReadOnlyList<WatchedProcess> watched)
    {
        ArgumentNullException.ThrowIfNull(watched);
        var processes = ReadAll();
        var children = processes.Values.ToLookup(process => process.ParentPid, process => process.Pid);
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, root) in watched)
        {
            seconds[name] = seconds.GetValueOrDefault(name) + TreeSeconds(root, processes, children);
        }
        return seconds;
    }

    /// <summary>The ticks a /proc/PID/stat line holds: (parent pid, own plus reaped children's user and system ticks).</summary>
    public static (int ParentPid, long Ticks)? Parse(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 > stat.Length)
        {
            return null;
        }
        // After the name: field 3 is the state, 4 the parent pid, 14–17 utime, stime, cutime, cstime.
        var fields = stat[(close + 2)..].Split(' ');
        if (fields.Length < 15 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
        {
            return null;
        }
        long ticks = 0;
        for (var i = 11; i <= 14; i++)
        {
            if (!long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }
            ticks += value;
        }
        return (parent, ticks);
    }

    private static double TreeSeconds(int root, Dictionary<int, ProcessTicks> processes, ILookup<int, int> children)
    {
        long ticks = 0;
        var pending = new Stack<int>([root]);
        var seen = new HashSet<int>();
        while (pending.TryPop(out var pid))
        {
            if (!seen.Add(pid) || !processes.TryGetValue(pid, out var process))
            {
                continue;
            }
            ticks += process.Ticks;
            foreach (var child in children[pid])
            {
                pending.Push(child);
            }
        }
        return ticks / MachineCpu.TicksPerSecond;
    }

    private static Dictionary<int, ProcessTicks> ReadAll()
    {
        var processes = new Dictionary<int, ProcessTicks>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                if (Parse(File.ReadAllText(Path.Combine(directory, "stat"))) is { } parsed)
                {
                    processes[pid] = new ProcessTicks(pid, parsed.ParentPid, parsed.Ticks);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }
        return processes;
    }

    private readonly record struct ProcessTicks(int Pid, int ParentPid, long Ticks);
}
