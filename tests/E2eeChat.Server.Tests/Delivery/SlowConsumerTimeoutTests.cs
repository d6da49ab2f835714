using System.Diagnostics;
using System.Globalization;
using E2eeChat.Server.Delivery;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace E2eeChat.Server.Tests.Delivery;

/// <summary>
/// A slow-consumer timeout longer than SignalR's own default transport send timeout (10 s), on the real clock: the
/// framework's timeout is the one thing that could close a non-reader first.
/// </summary>
public sealed class RealClockSlowConsumerServerFactory : LogCapturingServerFactory
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(12);

    public RealClockSlowConsumerServerFactory()
    {
        Settings["Messages:MaxQueuedBytesPerConnection"] = SlowConsumerServerFactory.Budget.ToString(CultureInfo.InvariantCulture);
        Settings["Messages:SlowConsumerTimeout"] = Timeout.ToString();
    }
}

/// <summary>
/// <c>Messages:SlowConsumerTimeout</c> is what closes a connection that stopped reading, logged and counted as
/// <c>slow_consumer</c>; SignalR's transport send timeout is set beyond it and does not cut the connection first.
/// </summary>
public sealed class SlowConsumerTimeoutTests(RealClockSlowConsumerServerFactory factory)
    : IClassFixture<RealClockSlowConsumerServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task A_non_reader_is_closed_by_the_slow_consumer_timeout_not_earlier_by_the_framework()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var connections = factory.Services.GetRequiredService<DeviceConnections>();
        var bobDevice = new DeviceKey(bob.UserId, bob.DeviceId);
        using var stalled = await StalledDevice.OpenAsync(factory.BaseAddress, connections, bob);

        var started = Stopwatch.StartNew();
        await StalledDevice.SendBacklogAsync(_api, alice, bob);
        await Wait.UntilAsync(() => !connections.IsConnectedHere(bobDevice), TimeSpan.FromSeconds(60), "bob's connection closed");

        // Closed by the pump's timeout (logged as a slow consumer), which cannot fire before it has run out once.
        Assert.Contains(factory.Logs.GetSnapshot(), r => r.Message.Contains("slow_consumer", StringComparison.Ordinal)
            && r.Message.Contains(bob.UserId.ToString(), StringComparison.Ordinal));
        Assert.True(started.Elapsed >= RealClockSlowConsumerServerFactory.Timeout,
            $"closed after {started.Elapsed}, before the slow-consumer timeout");
    }
}
