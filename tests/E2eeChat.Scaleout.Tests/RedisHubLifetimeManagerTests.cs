using System.Text.Json;
using E2eeChat.Redis;
using E2eeChat.Scaleout.Tests.Fakes;
using E2eeChat.Testing.Processes;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using static E2eeChat.Scaleout.Tests.Contract.Messages;

namespace E2eeChat.Scaleout.Tests;

/// <summary>What only a Redis backplane can get wrong: subscriptions it leaves behind, channel names, the wire.</summary>
public sealed class RedisHubLifetimeManagerTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    // all, this instance's acks and this instance's results.
    private const int ChannelsOfAnIdleInstance = 3;

    private readonly RedisCluster _cluster = new(redis.Server);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task No_channel_stays_subscribed_after_every_connection_disconnects()
    {
        var server1 = await _cluster.StartServerAsync(withProbe: false);
        var server2 = await _cluster.StartServerAsync(withProbe: false);
        var clients = new List<TestClient>();
        for (var i = 0; i < 6; i++)
        {
            var client = new TestClient(userIdentifier: $"user-{i % 2}");
            clients.Add(client);
            var server = i % 2 == 0 ? server1 : server2;
            await server.Manager.OnConnectedAsync(client.Connection);
            await server.Manager.AddToGroupAsync(client.ConnectionId, $"group-{i % 3}");
            // Half of them joined through the other instance.
            await (i % 2 == 0 ? server2 : server1).Manager.AddToGroupAsync(client.ConnectionId, "everyone");
        }
        Assert.Contains(await _cluster.SubscribedChannelsAsync(), c => c.Contains(":group:everyone", StringComparison.Ordinal));

        for (var i = 0; i < clients.Count; i++)
        {
            await (i % 2 == 0 ? server1 : server2).Manager.OnDisconnectedAsync(clients[i].Connection);
            clients[i].Dispose();
        }

        Assert.Equal(ChannelsOfAnIdleInstance, server1.Manager.SubscribedChannelCount);
        Assert.Equal(ChannelsOfAnIdleInstance, server2.Manager.SubscribedChannelCount);
        var left = await _cluster.SubscribedChannelsAsync();
        Assert.DoesNotContain(left, c => c.Contains(":group:", StringComparison.Ordinal)
            || c.Contains(":user:", StringComparison.Ordinal) || c.Contains(":connection:", StringComparison.Ordinal));
        // The shared "all" channel, and an ack and a results channel per instance.
        Assert.Equal(5, left.Length);
    }

    [Fact]
    public async Task A_users_channel_is_subscribed_once_while_any_of_their_local_connections_remain()
    {
        var server = await _cluster.StartServerAsync(withProbe: false);
        using var client1 = new TestClient(userIdentifier: "alice");
        using var client2 = new TestClient(userIdentifier: "alice");
        var channel = $"{_cluster.ChannelPrefix}:{typeof(TestHub).FullName}:user:alice";

        await server.Manager.OnConnectedAsync(client1.Connection);
        await server.Manager.OnConnectedAsync(client2.Connection);
        Assert.Equal(1, await SubscriberCountAsync(channel));

        await server.Manager.OnDisconnectedAsync(client1.Connection);
        Assert.Equal(1, await SubscriberCountAsync(channel));

        await server.Manager.OnDisconnectedAsync(client2.Connection);
        Assert.Equal(0, await SubscriberCountAsync(channel));
    }

    [Fact]
    public async Task Group_and_user_names_that_look_like_patterns_are_taken_literally()
    {
        var server1 = await _cluster.StartServerAsync();
        var server2 = await _cluster.StartServerAsync();
        using var star = new TestClient(userIdentifier: "*");
        await server1.Manager.OnConnectedAsync(star.Connection);
        await server1.Manager.AddToGroupAsync(star.ConnectionId, "*");

        await server2.Manager.SendGroupAsync("other", Target, Arguments);
        await server2.Manager.SendUserAsync("someone", Target, Arguments);
        await _cluster.BarrierAsync(server2.Manager);
        Assert.Null(star.TryRead());

        await server2.Manager.SendGroupAsync("*", Target, Arguments);
        await server2.Manager.SendUserAsync("*", Target, Arguments);
        await AssertHelloWorldAsync(star);
        await AssertHelloWorldAsync(star);
    }

    [Fact]
    public async Task Each_connection_receives_the_bytes_its_own_protocol_serialized_on_the_sending_instance()
    {
        // The sender writes camelCase; receivers are configured otherwise and must not re-serialize.
        var sender = await _cluster.StartServerAsync(configure: services =>
            services.AddSingleton<IHubProtocol>(new NamedJsonProtocol("json-camel", JsonNamingPolicy.CamelCase)));
        var receiver = await _cluster.StartServerAsync(configure: services =>
            services.AddSingleton<IHubProtocol>(new NamedJsonProtocol("json-camel", namingPolicy: null)));
        using var camel = new TestClient(protocol: new NamedJsonProtocol("json-camel", namingPolicy: null));
        using var plain = new TestClient();
        await receiver.Manager.OnConnectedAsync(camel.Connection);
        await receiver.Manager.OnConnectedAsync(plain.Connection);

        await sender.Manager.SendAllAsync("Payload", [new Sample("value")]);

        var camelArgument = Assert.IsType<JsonElement>(Assert.Single((await camel.ReadInvocationAsync()).Arguments));
        Assert.Equal("value", camelArgument.GetProperty("sampleProperty").GetString());
        var plainArgument = Assert.IsType<JsonElement>(Assert.Single((await plain.ReadInvocationAsync()).Arguments));
        Assert.Equal("value", plainArgument.GetProperty("sampleProperty").GetString());
    }

    [Fact]
    public async Task A_group_change_nobody_confirms_fails_with_a_timeout_that_says_what_was_asked()
    {
        var server = await _cluster.StartServerAsync(ackTimeout: TimeSpan.FromMilliseconds(300));
        // Something holds the connection's channel but never answers, like an instance that hangs.
        await using var silent = await RedisSubscriber.ConnectAsync(RedisOptions.Parse(_cluster.Configuration));
        await silent.SubscribeAsync($"{_cluster.ChannelPrefix}:{typeof(TestHub).FullName}:connection:hung", _ => { });

        var error = await Assert.ThrowsAsync<TimeoutException>(() => server.Manager.AddToGroupAsync("hung", "room"));

        Assert.Contains("adding connection 'hung' to group 'room'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Manager.PendingAckCount);
    }

    [Fact]
    public async Task A_malformed_message_is_dropped_and_later_messages_still_arrive()
    {
        var server = await _cluster.StartServerAsync();
        var sender = await _cluster.StartServerAsync();
        using var client = new TestClient();
        await server.Manager.OnConnectedAsync(client.Connection);
        await using var redisConnection = await RedisConnection.ConnectAsync(RedisOptions.Parse(_cluster.Configuration));
        var all = $"{_cluster.ChannelPrefix}:{typeof(TestHub).FullName}:all";

        Assert.Equal(2, await redisConnection.PublishAsync(all, new byte[] { 1, 2, 3 }));
        Assert.Equal(2, await redisConnection.PublishAsync(all, new byte[] { 99 }));
        await sender.Manager.SendAllAsync(Target, Arguments);

        await AssertHelloWorldAsync(client);
    }

    [Fact]
    public async Task Disposing_an_instance_unsubscribes_its_channels()
    {
        var server = await _cluster.StartServerAsync(withProbe: false);
        using var client = new TestClient(userIdentifier: "bob");
        await server.Manager.OnConnectedAsync(client.Connection);
        await server.Manager.AddToGroupAsync(client.ConnectionId, "room");
        Assert.NotEmpty(await _cluster.SubscribedChannelsAsync());

        server.Manager.Dispose();

        await Wait.UntilAsync(async () => (await _cluster.SubscribedChannelsAsync()).Length == 0, RedisCluster.Patience,
            "every channel of the disposed instance to be unsubscribed");
    }

    private async Task<long> SubscriberCountAsync(string channel)
    {
        await using var connection = await RedisConnection.ConnectAsync(RedisOptions.Parse(_cluster.Configuration));
        var reply = await connection.ExecuteAsync("PUBSUB", "NUMSUB", channel);
        return reply.Elements[1].AsInteger();
    }

    private sealed record Sample(string SampleProperty);
}
