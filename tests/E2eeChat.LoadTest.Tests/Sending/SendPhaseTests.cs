using E2eeChat.LoadTest.Cli;
using E2eeChat.LoadTest.Sending;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Sending;

public sealed class SendPhaseTests
{
    [Fact]
    public void Senders_at_a_rate_start_spread_over_one_interval_between_sends()
    {
        var options = new LoadOptions { Loop = SendLoop.Rate, Rate = 10 };

        var offsets = Enumerable.Range(0, 4).Select(i => SendPhase.StartOffset(options, i, 4).TotalMilliseconds);

        Assert.Equal([0, 25, 50, 75], offsets);
    }

    [Fact]
    public void The_ramp_up_spreads_the_starts_and_the_interval_adds_to_it()
    {
        var options = new LoadOptions { Loop = SendLoop.Rate, Rate = 10, RampUp = TimeSpan.FromSeconds(4) };

        Assert.Equal(TimeSpan.FromMilliseconds(2050), SendPhase.StartOffset(options, 2, 4));
    }

    [Fact]
    public void Closed_loops_start_together_without_a_ramp_up()
    {
        var options = new LoadOptions { Loop = SendLoop.ClosedOnDelivery };

        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(TimeSpan.Zero, SendPhase.StartOffset(options, i, 4)));
    }
}
