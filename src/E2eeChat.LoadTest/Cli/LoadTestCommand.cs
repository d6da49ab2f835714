using System.Globalization;
using E2eeChat.LoadTest.Api;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Probes;
using E2eeChat.LoadTest.Reporting;
using E2eeChat.LoadTest.Scenarios;

namespace E2eeChat.LoadTest.Cli;

/// <summary>The whole command: parse, run the scenario with progress, write the result files, and say the exit code.</summary>
internal static class LoadTestCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Count > 0 && args[0] is "-h" or "--help" or "help")
        {
            await output.WriteAsync(Usage.Text).ConfigureAwait(false);
            return Thresholds.Passed;
        }
        if (args.Count > 0 && args[0] == "summarize")
        {
            return await SummarizeAsync(args, output, error).ConfigureAwait(false);
        }
        if (args.Count > 0 && args[0] == RunComparison.Command)
        {
            return await RunComparison.RunAsync(args, output, error).ConfigureAwait(false);
        }
        if (args.Count > 0 && args[0] == "median")
        {
            return await MedianAsync(args, output, error).ConfigureAwait(false);
        }
        LoadOptions options;
        try
        {
            options = OptionsParser.Parse(args);
        }
        catch (UsageException exception)
        {
            await error.WriteLineAsync(exception.Message + Environment.NewLine).ConfigureAwait(false);
            await error.WriteAsync(Usage.Text).ConfigureAwait(false);
            return Thresholds.Fatal;
        }
        try
        {
            return await RunScenarioAsync(options, output, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException exception)
        {
            await error.WriteLineAsync(exception.Message).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            await error.WriteLineAsync($"Cannot reach {options.Url}: {exception.Message}").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Cancelled before the run had anything to report.").ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or IOException
            or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            await error.WriteLineAsync($"The run failed: {exception}").ConfigureAwait(false);
        }
        return Thresholds.Fatal;
    }

    private static async Task<int> RunScenarioAsync(LoadOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = LoadAverage.Read();
        var scenario = OptionNames.Of(options.Scenario);
        await output.WriteLineAsync($"E2eeChat load test: {scenario} against {options.Url} (load average {loadAtStart ?? "unknown"})")
            .ConfigureAwait(false);

        await using var run = new LoadRun(options);
        var outcome = await ProgressDisplay.RunAsync(run, output, RunAsync(run, cancellationToken)).ConfigureAwait(false);
        await run.DisconnectAllAsync().ConfigureAwait(false);
        var result = ResultBuilder.Build(run, outcome, startedAt, RunClock.ToSeconds(RunClock.Now - run.StartedAt), loadAtStart);

        var directory = options.OutputDirectory
            ?? Path.Combine("bench", "results", string.Create(CultureInfo.InvariantCulture, $"{scenario}-{startedAt:yyyyMMdd-HHmmss}"));
        var (json, html) = ResultFiles.Write(result, directory);
        await output.WriteAsync(ConsoleSummary.Render(result)).ConfigureAwait(false);
        await output.WriteLineAsync($"result: {json}{Environment.NewLine}report: {html}").ConfigureAwait(false);
        return result.Verdict.ExitCode;
    }

    private static Task<ScenarioOutcome> RunAsync(LoadRun run, CancellationToken cancellationToken) => run.Options.Scenario switch
    {
        Scenario.Pairs => PairsScenario.RunAsync(run, cancellationToken),
        Scenario.Room => RoomScenario.RunAsync(run, cancellationToken),
        Scenario.Connections => ConnectionsScenario.RunAsync(run, cancellationToken),
        Scenario.Drain => DrainScenario.RunAsync(run, cancellationToken),
        Scenario.NonReaders => NonReadersScenario.RunAsync(run, cancellationToken),
        _ => throw new InvalidOperationException($"Unknown scenario {run.Options.Scenario}."),
    };

    private static async Task<int> SummarizeAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count < 2)
        {
            await error.WriteLineAsync("summarize needs result.json files.").ConfigureAwait(false);
            return Thresholds.Fatal;
        }
        var results = new List<RunResult>(args.Count - 1);
        for (var i = 1; i < args.Count; i++)
        {
            results.Add(ResultFiles.Read(args[i]));
        }
        await output.WriteAsync(RunSummary.Render(results)).ConfigureAwait(false);
        return Thresholds.Passed;
    }

    private static async Task<int> MedianAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count < 3)
        {
            await error.WriteLineAsync("median needs a path (such as measured.deliveredPerSecond) and result.json files.")
                .ConfigureAwait(false);
            return Thresholds.Fatal;
        }
        var files = new List<string>(args.Count - 2);
        for (var i = 2; i < args.Count; i++)
        {
            files.Add(args[i]);
        }
        if (ResultQuery.Median(args[1], files) is not { } median)
        {
            await error.WriteLineAsync($"No file has a number at {args[1]}.").ConfigureAwait(false);
            return Thresholds.Fatal;
        }
        await output.WriteLineAsync(median.ToString("0.###", CultureInfo.InvariantCulture)).ConfigureAwait(false);
        return Thresholds.Passed;
    }
}
