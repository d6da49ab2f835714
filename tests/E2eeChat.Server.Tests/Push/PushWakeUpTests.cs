using System.Net;
using System.Text;
using E2eeChat.Server.Delivery;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace E2eeChat.Server.Tests.Push;

/// <summary>Wake-ups reach a real (loopback) push service: signed, encrypted, content-free, one per offline burst.</summary>
public sealed class PushWakeUpTests(PushServerFactory factory) : IClassFixture<PushServerFactory>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ApiClient _api = factory.Api();
    private LoopbackPushService Service => factory.PushService;

    [Fact]
    public async Task Web_push_wake_up_carries_a_valid_VAPID_token_and_decrypts_to_an_empty_object()
    {
        var (alice, bob) = (await _api.SignUpAsync(), await _api.SignUpAsync());
        using var subscriber = new WebPushSubscriber();
        var endpoint = Service.NewEndpoint();
        await RegisterAsync(bob, subscriber.Registration(endpoint));
        var vapidKey = (await _api.GetAsync("/api/v1/push/vapid", bob.AccessToken)).Text("publicKey");
        var messageId = Guid.NewGuid().ToString();

        var sent = await _api.SendTextAsync(alice, bob, "meet at noon", messageId);
        var push = await OnePushAsync(endpoint);

        Assert.Equal(HttpStatusCode.OK, sent.Status);
        var claims = WebPushSubscriber.VerifiedVapidClaims(push.Header("Authorization"), vapidKey);
        // The library's audience is the endpoint's scheme and host (push services listen on 443, so no port is written).
        Assert.Equal($"{endpoint.Scheme}://{endpoint.Host}", claims["aud"]!.GetValue<string>());
        Assert.Equal(PushServerFactory.Subject, claims["sub"]!.GetValue<string>());
        var expires = DateTimeOffset.FromUnixTimeSeconds(claims["exp"]!.GetValue<long>());
        Assert.InRange(expires, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(24));
        Assert.Equal("aes128gcm", push.Header("Content-Encoding"));
        Assert.Equal("high", push.Header("Urgency"));
        Assert.Equal("{}", Encoding.UTF8.GetString(subscriber.Decrypt(push.Body)));
        // Nothing that names the sender, the message or its content, in the clear or in the headers.
        var visible = string.Join('\n', push.Headers.Values) + Encoding.Latin1.GetString(push.Body);
        foreach (var secret in new[] { alice.UserId.ToString(), alice.UserId.ToString("N"), messageId, "meet at noon", alice.Username })
        {
            Assert.DoesNotContain(secret, visible, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task One_wake_up_per_offline_burst_none_while_connected_and_one_more_after_the_next_disconnect()
    {
        var (alice, bob) = (await _api.SignUpAsync(), await _api.SignUpAsync());
        using var subscriber = new WebPushSubscriber();
        var endpoint = Service.NewEndpoint();
        await RegisterAsync(bob, subscriber.Registration(endpoint));

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(alice, bob, $"burst {i}")).Status);
        }
        await factory.WakeUpsSettledAsync();
        Assert.Single(await PushesAsync(endpoint, 1));

        await using (var hub = await HubDevice.ConnectAsync(factory.BaseAddress, bob))
        {
            await hub.WaitForQueueEmptyAsync();
            Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(alice, bob, "while connected")).Status);
            await hub.WaitForEnvelopesAsync(6);
            await factory.WakeUpsSettledAsync();
            Assert.Single(Service.ReceivedAt(endpoint));
        }
        var connections = factory.Services.GetRequiredService<DeviceConnections>();
        await Wait.UntilAsync(() => !connections.IsConnectedHere(new DeviceKey(bob.UserId, bob.DeviceId)), Timeout, "bob's disconnect");

        Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(alice, bob, "after")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(alice, bob, "after, again")).Status);
        await factory.WakeUpsSettledAsync();
        Assert.Equal(2, (await PushesAsync(endpoint, 2)).Count);
    }

    [Fact]
    public async Task Urgent_false_and_online_sends_never_wake_and_an_urgent_one_then_does()
    {
        var (alice, bob) = (await _api.SignUpAsync(), await _api.SignUpAsync());
        using var subscriber = new WebPushSubscriber();
        var endpoint = Service.NewEndpoint();
        await RegisterAsync(bob, subscriber.Registration(endpoint));
        var devices = await _api.DevicesAsync(bob);
        object Body(bool? urgent, bool? online) => new
        {
            messages = devices.Select(d => Messaging.Envelope(d.DeviceId, d.RegistrationId, "quiet")).ToArray(),
            timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            urgent,
            online,
        };

        var quiet = await _api.PutAsync($"/api/v1/messages/{bob.UserId}", Body(urgent: false, online: null), alice.AccessToken);
        var online = await _api.PutAsync($"/api/v1/messages/{bob.UserId}", Body(urgent: true, online: true), alice.AccessToken);
        await using (var aliceHub = await HubDevice.ConnectAsync(factory.BaseAddress, alice))
        {
            await aliceHub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId, Body(urgent: false, online: null));
        }
        await factory.WakeUpsSettledAsync();

        Assert.Equal(HttpStatusCode.OK, quiet.Status);
        Assert.Equal(HttpStatusCode.OK, online.Status);
        Assert.Empty(Service.ReceivedAt(endpoint));
        Assert.Equal(2, (await _api.MailboxAsync(bob)).Count);
        Assert.Equal(HttpStatusCode.OK, (await _api.PutAsync($"/api/v1/messages/{bob.UserId}", Body(urgent: null, online: null),
            alice.AccessToken)).Status);
        Assert.Single(await PushesAsync(endpoint, 1));
    }

    [Fact]
    public async Task A_410_from_the_push_service_removes_the_registration_and_later_sends_do_not_call_it()
    {
        var (alice, bob) = (await _api.SignUpAsync(), await _api.SignUpAsync());
        using var subscriber = new WebPushSubscriber();
        var endpoint = Service.NewEndpoint();
        await RegisterAsync(bob, subscriber.Registration(endpoint));
        Service.AnswerNext(endpoint, 410);

        await _api.SendTextAsync(alice, bob, "first");
        await Wait.UntilAsync(async () => (await _api.GetAsync("/api/v1/devices/me/push", bob.AccessToken)).Status == HttpStatusCode.NotFound,
            Timeout, "the registration to be removed");
        await _api.SendTextAsync(alice, bob, "second");
        await factory.WakeUpsSettledAsync();

        Assert.Single(Service.ReceivedAt(endpoint));
        Assert.Equal("push_not_registered", (await _api.GetAsync("/api/v1/devices/me/push", bob.AccessToken)).Code);
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_tried_again_and_delivered_once()
    {
        var (alice, bob) = (await _api.SignUpAsync(), await _api.SignUpAsync());
        using var subscriber = new WebPushSubscriber();
        var endpoint = Service.NewEndpoint();
        await RegisterAsync(bob, subscriber.Registration(endpoint));
        Service.AnswerNext(endpoint, 429, retryAfter: "1");

        await _api.SendTextAsync(alice, bob, "busy service");
        await factory.WakeUpsSettledAsync();

        var pushes = Service.ReceivedAt(endpoint);
        Assert.Equal(2, pushes.Count);
        Assert.Equal("{}", Encoding.UTF8.GetString(subscriber.Decrypt(pushes[1].Body)));
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/api/v1/devices/me/push", bob.AccessToken)).Status);
    }

    [Fact]
    public async Task Gateway_receives_a_POST_naming_only_the_device_app_and_push_key()
    {
        var (alice, bob) = (await _api.SignUpAsync(), await _api.SignUpAsync());
        var pushKey = $"fcm-token-{Guid.NewGuid():N}";
        await RegisterAsync(bob, new { gateway = new { url = Service.Gateway.ToString(), appId = "chat.e2ee.android", pushKey } });

        await _api.SendTextAsync(alice, bob, "via the gateway");
        IReadOnlyList<ReceivedPush> Mine() =>
            [.. Service.ReceivedAt(Service.Gateway).Where(r => Encoding.UTF8.GetString(r.Body).Contains(pushKey, StringComparison.Ordinal))];
        await Wait.UntilAsync(() => Mine().Count > 0, Timeout, "the gateway's POST");
        await factory.WakeUpsSettledAsync();
        var notification = Assert.Single(Mine());

        Assert.StartsWith("application/json", notification.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal($$$"""{"notification":{"prio":"high","devices":[{"app_id":"chat.e2ee.android","pushkey":"{{{pushKey}}}"}]}}""",
            Encoding.UTF8.GetString(notification.Body));
        var current = await _api.GetAsync("/api/v1/devices/me/push", bob.AccessToken);
        Assert.Equal(Service.Gateway.ToString(), current.Body!["gateway"]!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Room_send_wakes_every_offline_member_device_unless_it_is_not_urgent()
    {
        var (alice, bob, carol) = (await _api.SignUpAsync(), await _api.SignUpAsync(), await _api.SignUpAsync());
        var roomId = await _api.CreateRoomAsync(alice, bob, carol);
        using var bobPhone = new WebPushSubscriber();
        using var carolPhone = new WebPushSubscriber();
        var (bobEndpoint, carolEndpoint) = (Service.NewEndpoint(), Service.NewEndpoint());
        await RegisterAsync(bob, bobPhone.Registration(bobEndpoint));
        await RegisterAsync(carol, carolPhone.Registration(carolEndpoint));
        var envelopes = await _api.RoomEnvelopesAsync(alice, "team news", bob, carol);

        await using (var aliceHub = await HubDevice.ConnectAsync(factory.BaseAddress, alice, HubProtocol.MessagePack))
        {
            await aliceHub.Connection.InvokeAsync<HubSendResult>("SendToRoom", roomId, new
            {
                messages = envelopes.ToArray(),
                timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                urgent = false,
            });
        }
        await factory.WakeUpsSettledAsync();
        Assert.Empty(Service.ReceivedAt(bobEndpoint));
        Assert.Empty(Service.ReceivedAt(carolEndpoint));

        Assert.Equal(HttpStatusCode.OK, (await _api.SendToRoomAsync(alice, roomId, envelopes)).Status);
        await factory.WakeUpsSettledAsync();

        Assert.Equal("{}", Encoding.UTF8.GetString(bobPhone.Decrypt((await OnePushAsync(bobEndpoint)).Body)));
        Assert.Equal("{}", Encoding.UTF8.GetString(carolPhone.Decrypt((await OnePushAsync(carolEndpoint)).Body)));
    }

    private async Task RegisterAsync(TestDevice device, object body)
    {
        var response = await _api.PutAsync("/api/v1/devices/me/push", body, device.AccessToken);
        Assert.True(response.Status == HttpStatusCode.NoContent, response.ToString());
    }

    private async Task<ReceivedPush> OnePushAsync(Uri endpoint) => Assert.Single(await PushesAsync(endpoint, 1));

    private async Task<IReadOnlyList<ReceivedPush>> PushesAsync(Uri endpoint, int atLeast)
    {
        await Wait.UntilAsync(() => Service.ReceivedAt(endpoint).Count >= atLeast, Timeout, $"{atLeast} push(es) at {endpoint}");
        return Service.ReceivedAt(endpoint);
    }
}
