using System.Diagnostics;
using E2eeChat.LoadTest.Probes;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Probes;

public sealed class ProcessTreeCpuTests
{
    // A second or so of CPU, in a subshell: a child of the shell that runs it.
    private const string Spin = "i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); done";

    [Fact]
    public void A_stat_line_gives_the_parent_and_own_plus_reaped_children_ticks()
    {
        const string stat = "4242 (postgres: (x) y) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 30 5 20 0 30 0 1000 2000000 5000";

        Assert.Equal((17, 360L), ProcessTreeCpu.Parse(stat));
        Assert.Null(ProcessTreeCpu.Parse("4242 (dotnet) S 1 2"));
    }

    [Fact]
    public async Task A_live_descendant_counts_under_its_ancestor()
    {
        using var shell = Start($"( {Spin} ) & wait");
        try
        {
            await Wait.UntilAsync(() => Seconds(shell) >= 0.2, TimeSpan.FromSeconds(30), "the spinning child's CPU under the shell");
        }
        finally
        {
            shell.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task A_child_that_ended_still_counts_under_the_parent_that_reaped_it()
    {
        using var shell = Start($"( {Spin} ); echo done; sleep 30");
        try
        {
            Assert.Equal("done", await shell.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));

            Assert.True(Seconds(shell) >= 0.2, $"the reaped child's CPU counts: {Seconds(shell)} s");
        }
        finally
        {
            shell.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void Several_processes_under_one_name_add_up_and_a_gone_one_reads_zero()
    {
        var self = ProcessTreeCpu.Read([new("tool", Environment.ProcessId)])["tool"];

        var read = ProcessTreeCpu.Read([new("tool", Environment.ProcessId), new("tool", Environment.ProcessId), new("gone", int.MaxValue)]);

        Assert.True(read["tool"] >= 2 * self);
        Assert.Equal(0, read["gone"]);
    }

    private static double Seconds(Process process) => ProcessTreeCpu.Read([new("tree", process.Id)])["tree"];

    private static Process Start(string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true };
        return Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
    }
}
