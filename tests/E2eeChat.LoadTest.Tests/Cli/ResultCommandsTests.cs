using E2eeChat.LoadTest.Cli;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Cli;

/// <summary><c>median</c> and <c>summarize</c>, which the bench scripts use to combine repeated runs.</summary>
public sealed class ResultCommandsTests : IDisposable
{
    private readonly TempDirectory _directory = new("e2eechat-results");

    public void Dispose() => _directory.Dispose();

    private string Result(string name, double deliveredPerSecond, double p99Ms) =>
        Write(name, $$$"""
            {"scenario":"pairs","label":"pairs-sat","startedAt":"2026-01-01T00:00:00+00:00","elapsedSeconds":1,
             "loadAverageAtStart":"1.50 1.00 0.50","processorCount":2,
             "parameters":{"url":"http://x/","devicesPerUser":2,"messageSize":1024,"loop":"rate","maxInFlight":1,"durationSeconds":1,
               "warmupSeconds":0,"rampUpSeconds":0,"settleSeconds":1,"parallelism":1,"fault":"none","streams":1,"fanOut":2,"maxLoss":0,"maxErrors":0},
             "totals":{"sent":10,"delivered":10},
             "measured":{"seconds":1,"sent":10,"delivered":10,"sentPerSecond":10,"deliveredPerSecond":{{{deliveredPerSecond}}}},
             "latency":{"count":10,"p50Ms":1,"p90Ms":2,"p99Ms":{{{p99Ms}}},"p999Ms":4,"maxMs":5,"meanMs":1},
             "timeline":[],"histogram":[],"errors":[],"verdict":{"passed":true,"exitCode":0,"reasons":[]}}
            """);

    private string Write(string name, string json)
    {
        var path = Path.Combine(_directory.Path, name);
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await LoadTestCommand.RunAsync(args, output, error, CancellationToken.None);
        return (exitCode, output.ToString() + error);
    }

    [Fact]
    public async Task Median_prints_the_middle_value_of_a_figure_over_the_files()
    {
        var files = new[] { Result("a.json", 100, 9), Result("b.json", 300, 7), Result("c.json", 200, 8) };

        var (exitCode, output) = await RunAsync(["median", "measured.deliveredPerSecond", .. files]);

        Assert.Equal(0, exitCode);
        Assert.Equal("200", output.Trim());
    }

    [Fact]
    public async Task Median_of_a_figure_no_file_has_fails()
    {
        var (exitCode, _) = await RunAsync("median", "measured.nothing", Result("a.json", 100, 9));

        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task Summarize_prints_a_row_of_medians_per_label_with_the_load_averages()
    {
        var files = new[] { Result("a.json", 100, 9), Result("b.json", 300, 7), Result("c.json", 200, 8) };

        var (exitCode, output) = await RunAsync(["summarize", .. files]);

        Assert.Equal(0, exitCode);
        var row = Assert.Single(output.Split('\n'), line => line.StartsWith("| pairs-sat |", StringComparison.Ordinal));
        Assert.Equal(["pairs-sat", "3", "200", "1", "8"], row.Split('|', StringSplitOptions.TrimEntries)[1..6]);
        Assert.Contains("1.50 1.50 1.50", row, StringComparison.Ordinal);
    }
}
