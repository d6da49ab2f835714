using System.Globalization;
using System.Net;
using E2eeChat.Server.Delivery;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace E2eeChat.Server.Tests.Delivery;

/// <summary>A pump budget of 512 KiB and a slow-consumer timeout on the server's clock, which the test moves.</summary>
public sealed class SlowConsumerServerFactory : LogCapturingServerFactory
{
    public const long Budget = 512 * 1024;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public SlowConsumerServerFactory()
    {
        Clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Settings["Messages:MaxQueuedBytesPerConnection"] = Budget.ToString(CultureInfo.InvariantCulture);
        Settings["Messages:SlowConsumerTimeout"] = Timeout.ToString();
    }
}

/// <summary>
/// A connection that completes the handshake and then never reads is held to its byte budget and, once a push to it
/// stays blocked for the slow-consumer timeout, closed; other connections keep receiving, and nothing is lost.
/// </summary>
public sealed class SlowConsumerTests(SlowConsumerServerFactory factory) : IClassFixture<SlowConsumerServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Non_reading_connection_is_held_to_its_budget_then_closed_and_gets_everything_once_when_it_reads()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var carol = await _api.SignUpAsync();
        var connections = factory.Services.GetRequiredService<DeviceConnections>();
        var bobDevice = new DeviceKey(bob.UserId, bob.DeviceId);
        await using var carolHub = await HubDevice.ConnectAsync(factory.BaseAddress, carol);
        await carolHub.WaitForQueueEmptyAsync();

        using var stalled = await StalledDevice.OpenAsync(factory.BaseAddress, connections, bob);
        await StalledDevice.SendBacklogAsync(_api, alice, bob);

        // Every envelope is committed and announced: what bob's pump holds stays within its budget.
        Assert.InRange(connections.HeldBytesOf(bobDevice) ?? -1, 0, SlowConsumerServerFactory.Budget);
        // Others keep receiving while bob is stalled (the server's clock has not moved: bob cannot have been cut off).
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(alice, carol, $"to carol {i}")).Status);
        }
        await carolHub.WaitForEnvelopesAsync(5);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"to carol {i}"), carolHub.Texts());
        Assert.True(connections.IsConnectedHere(bobDevice));

        // Time passes on the server's clock: the blocked push runs out of it and the connection is closed.
        var clock = (FakeTimeProvider)factory.Clock!;
        await Wait.UntilAsync(() =>
        {
            clock.Advance(SlowConsumerServerFactory.Timeout);
            return !connections.IsConnectedHere(bobDevice);
        }, TimeSpan.FromSeconds(30), "bob's connection closed");
        Assert.Contains(factory.Logs.GetSnapshot(), r => r.Message.Contains("slow_consumer", StringComparison.Ordinal)
            && r.Message.Contains(bob.UserId.ToString(), StringComparison.Ordinal));

        // Nothing was lost: a connection that reads gets every envelope, once, in order.
        await using var bobHub = await HubDevice.ConnectAsync(factory.BaseAddress, bob);
        await bobHub.WaitForQueueEmptyAsync();
        Assert.Equal(Enumerable.Range(0, StalledDevice.Envelopes).Select(StalledDevice.Text), bobHub.Texts());
        Assert.Equal(StalledDevice.Envelopes, bobHub.Envelopes.Select(e => e.Id).Distinct().Count());
    }
}
