using E2eeChat.LoadTest.Metrics;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Metrics;

public sealed class SequenceSetTests
{
    [Fact]
    public void Adding_a_number_twice_is_reported_and_counted_once()
    {
        var set = new SequenceSet();

        Assert.True(set.Add(1000));
        Assert.False(set.Add(1000));
        Assert.True(set.Add(3));

        Assert.Equal(2, set.Count);
        Assert.Equal(1000, set.Highest);
        Assert.True(set.Contains(3));
        Assert.False(set.Contains(4));
        Assert.False(set.Contains(1_000_000));
    }

    [Fact]
    public void CountMissing_counts_what_the_expected_set_has_and_this_one_lacks()
    {
        var expected = new SequenceSet();
        var received = new SequenceSet();
        for (var i = 1; i <= 500; i++)
        {
            expected.Add(i);
            if (i % 10 != 0)
            {
                received.Add(i);
            }
        }
        received.Add(9_999);

        Assert.Equal(50, received.CountMissing(expected));
        Assert.Equal(500, new SequenceSet().CountMissing(expected));
        Assert.Equal(1, expected.CountMissing(received));
    }
}
