using System.Globalization;
using System.Text;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>
/// <c>summarize</c>: the median of each key figure over repeated runs, grouped by label (or scenario),
/// as a Markdown table, with every run's load average, because one run on a shared machine proves little.
/// </summary>
internal static class RunSummary
{
    public static string Render(IReadOnlyList<RunResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var groups = new SortedDictionary<string, List<RunResult>>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            var key = result.Label ?? result.Scenario;
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = [];
            }
            group.Add(result);
        }

        var text = new StringBuilder();
        text.AppendLine("| run | n | delivered/s | p50 ms | p99 ms | p99.9 ms | max ms | scenario figure | lost | dups | errors | passed | cpu cores: machine / server / tool | load avg (1 min) at start |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (label, group) in groups)
        {
            var loads = new List<string>(group.Count);
            var passed = 0;
            foreach (var result in group)
            {
                loads.Add(result.LoadAverageAtStart?.Split(' ')[0] ?? "?");
                passed += result.Verdict.Passed ? 1 : 0;
            }
            text.Append(CultureInfo.InvariantCulture,
                $"| {label} | {group.Count} | {Median(group, r => r.Measured.DeliveredPerSecond)} | {Median(group, r => r.Latency.P50Ms)} | {Median(group, r => r.Latency.P99Ms)} | {Median(group, r => r.Latency.P999Ms)} | {Median(group, r => r.Latency.MaxMs)} | {ScenarioFigure(group)} | {Median(group, r => r.Totals.Lost)} | {Median(group, r => r.Totals.ServerDuplicates + r.Totals.ContentDuplicates)} | {Median(group, r => r.Totals.Errors)} | {passed}/{group.Count} | {Median(group, r => r.Cpu?.MachineBusyCores ?? double.NaN)} / {Median(group, r => r.Cpu?.ServerCores ?? double.NaN)} / {Median(group, r => r.Cpu?.ToolCores ?? double.NaN)} | {string.Join(' ', loads)} |");
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <summary>The figure that matters for the scenario when it is not a message rate.</summary>
    private static string ScenarioFigure(List<RunResult> group)
    {
        var first = group[0];
        if (first.Connections is not null)
        {
            return $"{Median(group, r => r.Connections!.Connected)} connected, {Median(group, r => r.Connections!.ConnectsPerSecond)} conn/s, server {Median(group, r => r.Server?.KiBPerConnection ?? double.NaN)} KiB/conn, client {Median(group, r => r.Connections!.ClientKiBPerConnection ?? double.NaN)} KiB/conn";
        }
        if (first.Drain is not null)
        {
            return $"drain {Median(group, r => r.Drain!.SecondsToAllReceived)} s ({Median(group, r => r.Drain!.DrainedPerSecond)} env/s), QueueEmpty at {Median(group, r => r.Drain!.SecondsToQueueEmpty)} s";
        }
        return $"sent/s {Median(group, r => r.Measured.SentPerSecond)}";
    }

    public static string Median(List<RunResult> group, Func<RunResult, double> figure)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(figure);
        var values = new List<double>(group.Count);
        foreach (var result in group)
        {
            var value = figure(result);
            if (!double.IsNaN(value))
            {
                values.Add(value);
            }
        }
        return Numbers.Median(values) is { } median ? Numbers.Short(median) : "–";
    }
}
