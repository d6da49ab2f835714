using System.Globalization;
using System.Text.Json;
using E2eeChat.LoadTest.Cli;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>
/// <c>compare BASE.json NEW.json [--max-throughput-drop 10%] [--max-p99-rise 20%]</c>: a side-by-side table of two
/// runs, and exit code 2 when the new one delivers less or answers slower than the limits allow (for CI).
/// </summary>
internal static class RunComparison
{
    public const string Command = "compare";
    private const double DefaultMaxThroughputDrop = 10;
    private const double DefaultMaxP99Rise = 20;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        double maxDrop = DefaultMaxThroughputDrop, maxRise = DefaultMaxP99Rise;
        var files = new List<string>();
        try
        {
            for (var i = 1; i < args.Count; i++)
            {
                switch (args[i])
                {
                    case "--max-throughput-drop":
                        maxDrop = Percent(args, ++i);
                        break;
                    case "--max-p99-rise":
                        maxRise = Percent(args, ++i);
                        break;
                    default:
                        files.Add(args[i]);
                        break;
                }
            }
            if (files.Count != 2)
            {
                throw new UsageException("compare needs two result files: BASE.json NEW.json.");
            }
        }
        catch (UsageException exception)
        {
            await error.WriteLineAsync(exception.Message).ConfigureAwait(false);
            return Thresholds.Fatal;
        }
        RunResult baseline, candidate;
        try
        {
            baseline = ResultFiles.Read(files[0]);
            candidate = ResultFiles.Read(files[1]);
        }
        catch (Exception exception) when (exception is IOException or JsonException or InvalidDataException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Cannot read the results: {exception.Message}").ConfigureAwait(false);
            return Thresholds.Fatal;
        }

        await output.WriteLineAsync($"| figure | base ({files[0]}) | new ({files[1]}) | change |").ConfigureAwait(false);
        await output.WriteLineAsync("|---|---:|---:|---:|").ConfigureAwait(false);
        await RowAsync(output, "delivered/s", baseline.Measured.DeliveredPerSecond, candidate.Measured.DeliveredPerSecond).ConfigureAwait(false);
        await RowAsync(output, "sent/s", baseline.Measured.SentPerSecond, candidate.Measured.SentPerSecond).ConfigureAwait(false);
        await RowAsync(output, "p50 ms", baseline.Latency.P50Ms, candidate.Latency.P50Ms).ConfigureAwait(false);
        await RowAsync(output, "p90 ms", baseline.Latency.P90Ms, candidate.Latency.P90Ms).ConfigureAwait(false);
        await RowAsync(output, "p99 ms", baseline.Latency.P99Ms, candidate.Latency.P99Ms).ConfigureAwait(false);
        await RowAsync(output, "p99.9 ms", baseline.Latency.P999Ms, candidate.Latency.P999Ms).ConfigureAwait(false);
        await RowAsync(output, "max ms", baseline.Latency.MaxMs, candidate.Latency.MaxMs).ConfigureAwait(false);

        var regressions = new List<string>();
        var drop = -Change(baseline.Measured.DeliveredPerSecond, candidate.Measured.DeliveredPerSecond);
        if (drop > maxDrop)
        {
            regressions.Add($"delivered/s dropped {Format(drop)}% (more than {Format(maxDrop)}%)");
        }
        var rise = Change(baseline.Latency.P99Ms, candidate.Latency.P99Ms);
        if (rise > maxRise)
        {
            regressions.Add($"p99 rose {Format(rise)}% (more than {Format(maxRise)}%)");
        }
        if (regressions.Count == 0)
        {
            await output.WriteLineAsync(
                $"No regression: delivered/s within -{Format(maxDrop)}%, p99 within +{Format(maxRise)}%.").ConfigureAwait(false);
            return Thresholds.Passed;
        }
        foreach (var regression in regressions)
        {
            await output.WriteLineAsync($"REGRESSION: {regression}").ConfigureAwait(false);
        }
        return Thresholds.Exceeded;
    }

    /// <summary>Relative change in percent; a zero baseline counts any rise as infinite.</summary>
    private static double Change(double baseline, double candidate) =>
        baseline == 0 ? (candidate == 0 ? 0 : double.PositiveInfinity) : (candidate - baseline) / baseline * 100;

    private static Task RowAsync(TextWriter output, string figure, double baseline, double candidate) =>
        output.WriteLineAsync($"| {figure} | {Format(baseline)} | {Format(candidate)} | {Signed(Change(baseline, candidate))} |");

    private static string Signed(double percent) =>
        double.IsInfinity(percent) ? "n/a" : $"{(percent >= 0 ? "+" : string.Empty)}{Format(percent)}%";

    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static double Percent(IReadOnlyList<string> args, int index)
    {
        if (index >= args.Count)
        {
            throw new UsageException($"{args[index - 1]} needs a percentage, e.g. 10%.");
        }
        var text = args[index].TrimEnd('%');
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent >= 0 && double.IsFinite(percent)
            ? percent
            : throw new UsageException($"{args[index - 1]} takes a percentage such as 10%, not '{args[index]}'.");
    }
}
