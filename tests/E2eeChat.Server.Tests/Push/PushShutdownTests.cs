using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Storage;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Push;

/// <summary>A server that stops while a wake-up is in flight gives the device's pending flag back.</summary>
public sealed class PushShutdownTests
{
    [Fact]
    public async Task Stopping_with_an_unanswered_wake_up_clears_the_pending_flag_so_the_next_envelope_wakes_again()
    {
        var factory = new PushServerFactory();
        await factory.InitializeAsync();
        try
        {
            using var subscriber = new WebPushSubscriber();
            var endpoint = factory.PushService.NewEndpoint();
            using var api = factory.Api();
            var alice = await api.SignUpAsync();
            var bob = await api.SignUpAsync();
            await api.PutAsync("/api/v1/devices/me/push", subscriber.Registration(endpoint), bob.AccessToken);
            factory.PushService.HoldNext(endpoint);

            await api.SendTextAsync(alice, bob, "as the server stops");
            await Wait.UntilAsync(() => factory.PushService.ReceivedAt(endpoint).Count == 1, TimeSpan.FromSeconds(30), "the held wake-up");
            await factory.DisposeAsync();

            await using var storage = SqlStorage.Create(
                new StorageOptions { Provider = StorageProvider.Sqlite, SqlitePath = factory.Settings["Storage:SqlitePath"]! });
            Assert.NotNull(await storage.PushRegistrations.ClaimWakeUpAsync(bob.UserId, bob.DeviceId, CancellationToken.None));
        }
        finally
        {
            await ((IAsyncLifetime)factory).DisposeAsync();
        }
    }
}
