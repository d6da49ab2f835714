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

    [Fact]
    public async Task Compare_within_the_limits_prints_both_runs_side_by_side_and_exits_0()
    {
        var (exitCode, output) = await RunAsync("compare", Result("base.json", 1000, 10), Result("new.json", 950, 11.5),
            "--max-throughput-drop", "10%", "--max-p99-rise", "20%");

        Assert.Equal(0, exitCode);
        Assert.Contains("| delivered/s | 1000 | 950 | -5% |", output, StringComparison.Ordinal);
        Assert.Contains("| p99 ms | 10 | 11.5 | +15% |", output, StringComparison.Ordinal);
        Assert.Contains("No regression", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_exits_2_when_throughput_drops_more_than_allowed()
    {
        var (exitCode, output) = await RunAsync("compare", Result("base.json", 1000, 10), Result("new.json", 880, 10),
            "--max-throughput-drop", "10%", "--max-p99-rise", "20%");

        Assert.Equal(2, exitCode);
        Assert.Contains("REGRESSION: delivered/s dropped 12% (more than 10%)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_exits_2_when_p99_rises_more_than_allowed_with_the_default_limits()
    {
        var (exitCode, output) = await RunAsync("compare", Result("base.json", 1000, 10), Result("new.json", 1000, 12.5));

        Assert.Equal(2, exitCode);
        Assert.Contains("REGRESSION: p99 rose 25% (more than 20%)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("delivered/s dropped", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-p99-rise", "lots")]
    [InlineData("--max-throughput-drop", "-5%")]
    public async Task Compare_with_a_bad_limit_exits_1_and_says_which(string option, string value)
    {
        var (exitCode, output) = await RunAsync("compare", Result("base.json", 1000, 10), Result("new.json", 1000, 10), option, value);

        Assert.Equal(1, exitCode);
        Assert.Contains(option, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_of_a_missing_file_exits_1()
    {
        var (exitCode, output) = await RunAsync("compare", Result("base.json", 1000, 10), Path.Combine(_directory.Path, "none.json"));

        Assert.Equal(1, exitCode);
        Assert.Contains("Cannot read the results", output, StringComparison.Ordinal);
    }
}
