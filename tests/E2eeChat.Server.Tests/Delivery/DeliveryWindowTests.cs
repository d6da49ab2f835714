using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace E2eeChat.Server.Tests.Delivery;

public sealed class SmallWindowServerFactory : SqliteServerFactory
{
    public const int Window = 5;

    public override Task InitializeAsync()
    {
        Settings["Messages:DeliveryWindow"] = Window.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return base.InitializeAsync();
    }
}

/// <summary>A client that does not ack holds at most the window; acking lets the rest through.</summary>
public sealed class DeliveryWindowTests(SmallWindowServerFactory factory) : IClassFixture<SmallWindowServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Slow_client_gets_at_most_the_window_until_it_acks()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        for (var i = 0; i < 12; i++)
        {
            await _api.SendTextAsync(alice, bob, $"m{i}");
        }

        await using var hub = await HubDevice.ConnectAsync(factory.BaseAddress, bob);
        await hub.WaitForEnvelopesAsync(SmallWindowServerFactory.Window);
        // Prove the pump is parked, not slow: a round trip on the same connection completes first.
        await hub.Connection.InvokeAsync("MarkRead", new[] { Guid.NewGuid() });
        Assert.Equal(SmallWindowServerFactory.Window, hub.Envelopes.Count);
        Assert.False(hub.SawQueueEmpty);

        while (!hub.SawQueueEmpty)
        {
            var pending = hub.Envelopes;
            await hub.AckAsync(pending);
            await hub.WaitUntilAsync(() => hub.Envelopes.Count > pending.Count || hub.SawQueueEmpty, "more envelopes after an ack");
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"m{i}"), hub.Texts());
    }
}
