using E2eeChat.LoadTest.Cli;
using E2eeChat.LoadTest.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Scenarios;

public sealed class SetupFailureTests(RateLimitedServer server) : IClassFixture<RateLimitedServer>
{
    [Fact]
    public async Task A_rate_limited_setup_ends_with_exit_code_1_and_says_which_limits_to_raise()
    {
        var run = await LoadTool.RunAsync(server, "pairs", "--pairs", "3", "--duration", "1s", "--progress", "none");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("429", run.Error, StringComparison.Ordinal);
        Assert.Contains("RateLimits__SignupPerIp__PermitLimit", run.Error, StringComparison.Ordinal);
        Assert.Null(run.Result);
    }

    [Fact]
    public async Task An_unknown_option_ends_with_exit_code_1_and_the_usage()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await LoadTestCommand.RunAsync(["pairs", "--pair", "3"], output, error, CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.Contains("Unknown option '--pair'", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_ends_with_exit_code_1()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var port = E2eeChat.Testing.Processes.FreePort.Next();

        var exitCode = await LoadTestCommand.RunAsync(
            ["pairs", "--url", $"http://127.0.0.1:{port}", "--progress", "none", "--out", server.NewOutputDirectory()],
            output, error, CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.Contains("Cannot reach", error.ToString(), StringComparison.Ordinal);
    }
}
