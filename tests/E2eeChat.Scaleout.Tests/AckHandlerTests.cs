namespace E2eeChat.Scaleout.Tests;

public sealed class AckHandlerTests
{
    [Fact]
    public async Task An_acknowledgement_completes_the_wait_even_when_it_came_first()
    {
        using var acks = new AckHandler(TimeSpan.FromSeconds(10), TimeProvider.System);
        var (id, acknowledged) = acks.Create();

        acks.Acknowledge(id);
        await acks.WaitAsync(id, acknowledged, "the test", CancellationToken.None);

        Assert.Equal(0, acks.PendingCount);
    }

    [Fact]
    public async Task A_request_nobody_acknowledges_times_out_naming_what_it_asked()
    {
        using var acks = new AckHandler(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        var (id, acknowledged) = acks.Create();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => acks.WaitAsync(id, acknowledged, "adding c1 to g", CancellationToken.None));

        Assert.Contains("adding c1 to g", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, acks.PendingCount);
    }

    [Fact]
    public async Task An_acknowledgement_for_another_request_changes_nothing()
    {
        using var acks = new AckHandler(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        var (id, acknowledged) = acks.Create();

        acks.Acknowledge(id + 1);

        await Assert.ThrowsAsync<TimeoutException>(() => acks.WaitAsync(id, acknowledged, "x", CancellationToken.None));
    }

    [Fact]
    public async Task Disposing_fails_what_still_waits()
    {
        var acks = new AckHandler(TimeSpan.FromSeconds(10), TimeProvider.System);
        var (id, acknowledged) = acks.Create();

        acks.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => acks.WaitAsync(id, acknowledged, "x", CancellationToken.None));
        Assert.Throws<ObjectDisposedException>(() => acks.Create());
    }
}
