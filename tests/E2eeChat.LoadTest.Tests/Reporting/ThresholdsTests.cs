using E2eeChat.LoadTest.Cli;
using E2eeChat.LoadTest.Reporting;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Reporting;

public sealed class ThresholdsTests
{
    private static RunTotals Totals(long lost = 0, long errors = 0, long serverDuplicates = 0, long contentDuplicates = 0) =>
        new(0, 0, 0, 0, 0, 0, 100, 100 - lost, lost, serverDuplicates, contentDuplicates, 0, 0, 0, 0, 0, 0, 0, 0, 0, errors);

    [Fact]
    public void A_clean_run_passes_with_exit_code_0()
    {
        var verdict = Thresholds.Judge(Totals(), new LoadOptions());

        Assert.True(verdict.Passed);
        Assert.Equal(0, verdict.ExitCode);
        Assert.Empty(verdict.Reasons);
    }

    [Fact]
    public void Loss_or_errors_over_the_limits_give_exit_code_2_with_each_reason()
    {
        var verdict = Thresholds.Judge(Totals(lost: 2, errors: 5), new LoadOptions { MaxLoss = 1, MaxErrors = 4 });

        Assert.False(verdict.Passed);
        Assert.Equal(2, verdict.ExitCode);
        Assert.Equal(2, verdict.Reasons.Count);
    }

    [Fact]
    public void Loss_and_errors_at_the_limits_pass()
    {
        Assert.True(Thresholds.Judge(Totals(lost: 1, errors: 4), new LoadOptions { MaxLoss = 1, MaxErrors = 4 }).Passed);
    }

    [Fact]
    public void Duplicates_fail_a_run_only_when_limited()
    {
        var totals = Totals(serverDuplicates: 3, contentDuplicates: 1);

        Assert.True(Thresholds.Judge(totals, new LoadOptions()).Passed);
        Assert.Equal(2, Thresholds.Judge(totals, new LoadOptions { MaxDuplicates = 3 }).ExitCode);
        Assert.True(Thresholds.Judge(totals, new LoadOptions { MaxDuplicates = 4 }).Passed);
    }
}
