using System.Text;
using System.Threading.Channels;
using E2eeChat.Testing.Processes;
using E2eeChat.Testing.Redis;
using Xunit;

namespace E2eeChat.Redis.Tests;

/// <summary>
/// Cutting the link: each test has its own redis-server, stopped and started again on the same
/// port. Run against Debian's redis-server only, as the brief for these cases asks.
/// </summary>
public sealed class RedisReconnectTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private RedisServer? _server;

    private RedisServer Server => _server!;

    private RedisOptions Options => RedisOptions.Parse(Server.ConfigurationString) with
    {
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
    };

    public async Task InitializeAsync() => _server = await RedisServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Subscriber_resubscribes_every_channel_after_server_restart()
    {
        await using var redis = await RedisConnection.ConnectAsync(Options);
        await using var subscriber = await RedisSubscriber.ConnectAsync(Options);
        var received = Channel.CreateUnbounded<string>();
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ConnectionFailed += (_, _) => failed.TrySetResult();
        subscriber.ConnectionRestored += (_, _) => restored.TrySetResult();
        await subscriber.SubscribeAsync("alpha", m => received.Writer.TryWrite($"alpha:{Text(m)}"));
        await subscriber.SubscribeAsync("beta", m => received.Writer.TryWrite($"beta:{Text(m)}"));
        await subscriber.PatternSubscribeAsync("user.*", m => received.Writer.TryWrite($"{m.Channel}:{Text(m)}"));

        await Server.StopAsync();
        await failed.Task.WaitAsync(Patience);
        Assert.False(subscriber.IsConnected);
        await Server.StartAsync();
        await restored.Task.WaitAsync(Patience);

        Assert.True(subscriber.IsConnected);
        await Wait.UntilAsync(() => redis.IsConnected, Patience, "the command connection to reconnect");
        // Restored is raised only after every subscription is confirmed, so each publish finds its subscriber.
        Assert.Equal(1, await redis.PublishAsync("alpha", "1"));
        Assert.Equal(1, await redis.PublishAsync("beta", "2"));
        Assert.Equal(1, await redis.PublishAsync("user.42", "3"));
        string[] expected = ["alpha:1", "beta:2", "user.42:3"];
        foreach (var message in expected)
        {
            Assert.Equal(message, await received.Reader.ReadAsync().AsTask().WaitAsync(Patience));
        }
    }

    [Fact]
    public async Task Subscriptions_made_while_disconnected_fail_and_unsubscribes_succeed()
    {
        await using var subscriber = await RedisSubscriber.ConnectAsync(Options);
        await subscriber.SubscribeAsync("kept", _ => { });
        await subscriber.SubscribeAsync("dropped", _ => { });

        await Server.StopAsync();
        await Wait.UntilAsync(() => !subscriber.IsConnected, Patience, "the subscriber to notice");
        await Assert.ThrowsAsync<RedisConnectionException>(() => subscriber.SubscribeAsync("late", _ => { }));
        await subscriber.UnsubscribeAsync("dropped");
        await Server.StartAsync();
        await Wait.UntilAsync(() => subscriber.IsConnected, Patience, "the subscriber to reconnect");

        await using var redis = await RedisConnection.ConnectAsync(Options);
        Assert.Equal(1, await redis.PublishAsync("kept", "x"));
        Assert.Equal(0, await redis.PublishAsync("dropped", "x"));
        Assert.Equal(0, await redis.PublishAsync("late", "x"));
    }

    [Fact]
    public async Task Commands_work_again_after_reconnect()
    {
        await using var redis = await RedisConnection.ConnectAsync(Options);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        redis.ConnectionFailed += (_, e) => failures.Enqueue(e.Exception);
        redis.ConnectionRestored += (_, _) => restored.TrySetResult();
        Assert.Equal(1, await redis.IncrementAsync("counter"));

        await Server.StopAsync();
        await Wait.UntilAsync(() => !redis.IsConnected, Patience, "the connection to notice");
        await Assert.ThrowsAsync<RedisConnectionException>(async () => await redis.IncrementAsync("counter"));
        await Server.StartAsync();
        await restored.Task.WaitAsync(Patience);

        Assert.True(redis.IsConnected);
        // The server kept nothing (no persistence): the counter starts over.
        Assert.Equal(1, await redis.IncrementAsync("counter"));
        Assert.Single(failures);
    }

    [Fact]
    public async Task Commands_in_flight_when_the_server_dies_fail_with_RedisConnectionException()
    {
        await using var redis = await RedisConnection.ConnectAsync(Options);
        await using var observer = await RedisConnection.ConnectAsync(Options);
        var blocked = redis.ExecuteAsync("BLPOP", "never", 10).AsTask();
        await Wait.UntilAsync(async () => (await observer.ExecuteAsync("CLIENT", "LIST", "TYPE", "normal")).AsString()!
            .Contains("cmd=blpop", StringComparison.Ordinal), Patience, "BLPOP to be blocking on the server");

        Server.Kill();

        var failure = await Assert.ThrowsAsync<RedisConnectionException>(() => blocked.WaitAsync(Patience));
        Assert.Contains("may or may not have run", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Database_and_client_name_are_restored_on_the_new_connection()
    {
        var options = Options with { Database = 5, ClientName = "reconnecting-client" };
        await using var redis = await RedisConnection.ConnectAsync(options);

        await Server.StopAsync();
        await Wait.UntilAsync(() => !redis.IsConnected, Patience, "the connection to notice");
        await Server.StartAsync();
        await Wait.UntilAsync(() => redis.IsConnected, Patience, "the connection to come back");
        await redis.SetAsync("where", "five");

        Assert.Equal("reconnecting-client", (await redis.ExecuteAsync("CLIENT", "GETNAME")).AsString());
        await using var inFive = await RedisConnection.ConnectAsync(Options with { Database = 5 });
        Assert.Equal("five", await inFive.GetStringAsync("where"));
    }

    private static string Text(RedisMessage message) => Encoding.UTF8.GetString(message.Payload.Span);
}
