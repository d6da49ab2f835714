using E2eeChat.LoadTest.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Scenarios;

internal static class ScenarioAssertions
{
    /// <summary>Exit 0, something was sent, every envelope arrived exactly once and in order, and nothing failed.</summary>
    public static void Clean(ToolRun run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.NotNull(run.Result);
        Assert.True(run.Total("sent") > 0, run.ToString());
        Assert.Equal(run.Total("sent"), run.Total("delivered"));
        Assert.Equal(0, run.Total("lost"));
        Assert.Equal(0, run.Total("serverDuplicates"));
        Assert.Equal(0, run.Total("contentDuplicates"));
        Assert.Equal(0, run.Total("reordered"));
        Assert.Equal(0, run.Total("foreign"));
        Assert.Equal(0, run.Total("errors"));
        Assert.True(run.Result!["verdict"]!["passed"]!.GetValue<bool>());
    }
}
