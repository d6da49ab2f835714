using E2eeChat.LoadTest.Probes;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Probes;

public sealed class MachineCpuTests
{
    [Fact]
    public void Process_cpu_time_is_user_plus_system_ticks_even_when_the_name_has_spaces_and_parentheses()
    {
        const string stat = "4242 (dotnet (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30 0 1000 2000000 5000";

        Assert.Equal(TimeSpan.FromSeconds(3.25), MachineCpu.ProcessCpuTime(stat));
    }

    [Fact]
    public void A_truncated_stat_line_gives_no_cpu_time()
    {
        Assert.Null(MachineCpu.ProcessCpuTime("4242 (dotnet) S 1 2"));
    }

    [Fact]
    public void This_process_is_seen_using_cpu()
    {
        var probe = LocalServerProbe.Find(Environment.ProcessId, new Uri("http://127.0.0.1:1"));

        Assert.NotNull(probe);
        Assert.True(probe.ReadCpuTime() > TimeSpan.Zero);
        Assert.True(probe.ReadRssKiB() > 0);
    }
}
