using System.Globalization;
using System.Text;
using System.Threading.Channels;
using E2eeChat.Testing.Processes;
using E2eeChat.Testing.Redis;
using Xunit;

namespace E2eeChat.Redis.Tests.Contract;

/// <summary>
/// What the client promises against any server that speaks RESP. Each server the project
/// supports runs this whole suite through a subclass.
/// </summary>
public abstract class RespClientContract<TFixture> : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : RespServerFixture
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly string _prefix = $"test:{Guid.NewGuid():N}";
    private readonly List<IAsyncDisposable> _clients = [];

    protected RespClientContract(TFixture fixture)
    {
        Fixture = fixture;
    }

    protected TFixture Fixture { get; }

    protected RespServer Server => Fixture.Server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Pipelined_commands_from_many_callers_get_their_own_replies()
    {
        var redis = await ConnectAsync();

        var callers = new Task[1000];
        for (var i = 0; i < callers.Length; i++)
        {
            var n = i;
            callers[i] = Task.Run(async () =>
            {
                var key = Key($"counter:{n}");
                Assert.True(await redis.SetAsync(key, n));
                Assert.Equal(n + 1, await redis.IncrementAsync(key));
                Assert.Equal((n + 1).ToString(CultureInfo.InvariantCulture), await redis.GetStringAsync(key));
            });
        }

        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Server_error_reply_surfaces_as_RedisServerException()
    {
        var redis = await ConnectAsync();
        var list = Key("list");
        await redis.ExecuteAsync("RPUSH", list, "a");

        var error = await Assert.ThrowsAsync<RedisServerException>(async () => await redis.GetAsync(list));

        Assert.Equal("WRONGTYPE", error.ErrorCode);
        Assert.True(redis.IsConnected);
        Assert.Equal(1, await redis.IncrementAsync(Key("after")));
    }

    [Fact]
    public async Task EvalSha_falls_back_to_eval_when_script_is_not_cached()
    {
        var redis = await ConnectAsync();
        var script = new RedisScript($"return redis.call('INCRBY', KEYS[1], ARGV[1]) -- {Guid.NewGuid():N}");
        var key = Key("scripted");
        await redis.ExecuteAsync("SCRIPT", "FLUSH");
        Assert.Equal(0, (await redis.ExecuteAsync("SCRIPT", "EXISTS", script.Sha1)).Elements[0].AsInteger());

        var first = await redis.EvaluateAsync(script, [key], [5]);

        Assert.Equal(5, first.AsInteger());
        Assert.Equal(1, (await redis.ExecuteAsync("SCRIPT", "EXISTS", script.Sha1)).Elements[0].AsInteger());
        Assert.Equal(12, (await redis.EvaluateAsync(script, [key], [7])).AsInteger());
    }

    [Fact]
    public async Task Script_error_surfaces_as_RedisServerException()
    {
        var redis = await ConnectAsync();
        var script = new RedisScript("return redis.call('NO_SUCH_COMMAND')");

        await Assert.ThrowsAsync<RedisServerException>(async () => await redis.EvaluateAsync(script));
    }

    [Fact]
    public async Task Nested_array_replies_keep_their_shape()
    {
        var redis = await ConnectAsync();
        var script = new RedisScript("return {1, {'two', {3}}, 'four'}");

        var reply = await redis.EvaluateAsync(script);

        Assert.Equal(RedisReplyKind.Array, reply.Kind);
        Assert.Equal(3, reply.Elements.Length);
        Assert.Equal(1, reply.Elements[0].AsInteger());
        var nested = reply.Elements[1];
        Assert.Equal("two", nested.Elements[0].AsString());
        Assert.Equal(3, nested.Elements[1].Elements[0].AsInteger());
        Assert.Equal("four", reply.Elements[2].AsString());
    }

    [Fact]
    public async Task Binary_values_round_trip_byte_for_byte()
    {
        var redis = await ConnectAsync();
        var small = new byte[] { 0, 13, 10, 255, (byte)'$', (byte)'*', 13, 10 };
        var large = new byte[1024 * 1024 + 17];
        new Random(42).NextBytes(large);

        await redis.SetAsync(Key("small"), small);
        await redis.SetAsync(Key("large"), large);

        Assert.Equal(small, await redis.GetAsync(Key("small")));
        Assert.Equal(large, await redis.GetAsync(Key("large")));
        Assert.Null(await redis.GetAsync(Key("missing")));
        Assert.Equal("grüße ✓", await RoundTripTextAsync(redis, "grüße ✓"));
    }

    [Fact]
    public async Task Set_with_not_exists_writes_only_once()
    {
        var redis = await ConnectAsync();
        var key = Key("once");

        Assert.True(await redis.SetAsync(key, "first", condition: RedisSetCondition.IfNotExists));
        Assert.False(await redis.SetAsync(key, "second", condition: RedisSetCondition.IfNotExists));
        Assert.False(await redis.SetAsync(Key("absent"), "x", condition: RedisSetCondition.IfExists));

        Assert.Equal("first", await redis.GetStringAsync(key));
    }

    [Fact]
    public async Task Set_with_expiry_lets_the_key_expire()
    {
        var redis = await ConnectAsync();
        var key = Key("short-lived");

        await redis.SetAsync(key, "soon gone", TimeSpan.FromMilliseconds(100));

        var ttl = (await redis.ExecuteAsync("PTTL", key)).AsInteger();
        Assert.InRange(ttl, 1, 100);
        await Wait.UntilAsync(async () => await redis.GetAsync(key) is null, Patience,
            "the key to expire");
    }

    [Fact]
    public async Task Expire_sets_seconds_or_milliseconds_and_delete_counts_removed_keys()
    {
        var redis = await ConnectAsync();
        var seconds = Key("seconds");
        var milliseconds = Key("milliseconds");
        await redis.SetAsync(seconds, "s");
        await redis.SetAsync(milliseconds, "ms");

        Assert.True(await redis.ExpireAsync(seconds, TimeSpan.FromSeconds(100)));
        Assert.True(await redis.ExpireAsync(milliseconds, TimeSpan.FromMilliseconds(100_500)));
        Assert.False(await redis.ExpireAsync(Key("absent"), TimeSpan.FromSeconds(1)));

        Assert.InRange((await redis.ExecuteAsync("TTL", seconds)).AsInteger(), 90, 100);
        Assert.InRange((await redis.ExecuteAsync("PTTL", milliseconds)).AsInteger(), 90_000, 100_500);
        Assert.Equal(1, await redis.DeleteAsync(seconds));
        Assert.Equal(0, await redis.DeleteAsync(seconds));
    }

    [Fact]
    public async Task Ping_answers_and_client_name_is_set()
    {
        var name = $"contract-{Guid.NewGuid():N}";
        var redis = await ConnectAsync(options => options with { ClientName = name });

        Assert.True(await redis.PingAsync() > TimeSpan.Zero);
        Assert.Equal(name, (await redis.ExecuteAsync("CLIENT", "GETNAME")).AsString());
    }

    [Fact]
    public async Task Subscriber_receives_published_messages()
    {
        var redis = await ConnectAsync();
        var subscriber = await SubscribeAsync();
        var channel = Key("channel");
        var received = Channel.CreateUnbounded<RedisMessage>();

        await subscriber.SubscribeAsync(channel, message => received.Writer.TryWrite(message));

        // The subscribe call returned only once confirmed, so the publish already finds the subscriber.
        Assert.Equal(1, await redis.PublishAsync(channel, "hello"u8.ToArray()));
        var message = await received.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal(channel, message.Channel);
        Assert.Equal("hello", Encoding.UTF8.GetString(message.Payload.Span));
        Assert.Null(message.Pattern);
    }

    [Fact]
    public async Task Pattern_subscription_receives_matching_channels()
    {
        var redis = await ConnectAsync();
        var subscriber = await SubscribeAsync();
        var pattern = Key("room.*");
        var received = Channel.CreateUnbounded<RedisMessage>();
        await subscriber.PatternSubscribeAsync(pattern, message => received.Writer.TryWrite(message));

        await redis.PublishAsync(Key("room.a"), "to a");
        await redis.PublishAsync(Key("elsewhere"), "to nobody");
        await redis.PublishAsync(Key("room.b"), "to b");

        var first = await received.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        var second = await received.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal((Key("room.a"), "to a", pattern), (first.Channel, Encoding.UTF8.GetString(first.Payload.Span), first.Pattern));
        Assert.Equal((Key("room.b"), "to b", pattern), (second.Channel, Encoding.UTF8.GetString(second.Payload.Span), second.Pattern));
        // Messages arrive in publish order, so anything from "elsewhere" would have come before room.b.
        Assert.False(received.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery_to_the_handler()
    {
        var redis = await ConnectAsync();
        var subscriber = await SubscribeAsync();
        var channel = Key("channel");
        var pattern = Key("pattern.*");
        await subscriber.SubscribeAsync(channel, _ => { });
        await subscriber.PatternSubscribeAsync(pattern, _ => { });
        Assert.Equal(1, await redis.PublishAsync(channel, "x"));
        Assert.Equal(1, await redis.PublishAsync(Key("pattern.1"), "x"));

        await subscriber.UnsubscribeAsync(channel);
        await subscriber.PatternUnsubscribeAsync(pattern);

        Assert.Equal(0, await redis.PublishAsync(channel, "x"));
        Assert.Equal(0, await redis.PublishAsync(Key("pattern.1"), "x"));
    }

    [Fact]
    public async Task A_throwing_handler_does_not_stop_later_messages()
    {
        var redis = await ConnectAsync();
        var subscriber = await SubscribeAsync();
        var channel = Key("channel");
        var failures = Channel.CreateUnbounded<RedisHandlerFailedEventArgs>();
        var received = Channel.CreateUnbounded<string>();
        subscriber.HandlerFailed += (_, e) => failures.Writer.TryWrite(e);
        await subscriber.SubscribeAsync(channel, message =>
        {
            var text = Encoding.UTF8.GetString(message.Payload.Span);
            if (text == "boom")
            {
                throw new InvalidOperationException("handler bug");
            }
            received.Writer.TryWrite(text);
        });

        await redis.PublishAsync(channel, "boom");
        await redis.PublishAsync(channel, "fine");

        Assert.Equal("fine", await received.Reader.ReadAsync().AsTask().WaitAsync(Patience));
        var failure = await failures.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal("handler bug", failure.Exception.Message);
    }

    [Fact]
    public async Task Auth_with_password_is_required_when_server_demands_it()
    {
        var guarded = await Fixture.StartAnotherAsync(password: $"pw-{Guid.NewGuid():N}");
        var options = RedisOptions.Parse(guarded.ConfigurationString);

        var missing = await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RedisConnection.ConnectAsync(options with { Password = null }));
        var wrong = await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RedisConnection.ConnectAsync(options with { Password = "wrong" }));
        await using var redis = await RedisConnection.ConnectAsync(options);
        await using var subscriber = await RedisSubscriber.ConnectAsync(options);
        var received = new TaskCompletionSource<RedisMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await subscriber.SubscribeAsync("guarded", message => received.TrySetResult(message));

        Assert.IsType<RedisServerException>(missing.InnerException);
        Assert.IsType<RedisServerException>(wrong.InnerException);
        Assert.Equal(1, await redis.PublishAsync("guarded", "let in"));
        Assert.Equal("let in", Encoding.UTF8.GetString((await received.Task.WaitAsync(Patience)).Payload.Span));
    }

    [Fact]
    public async Task Auth_with_user_and_password_uses_the_two_argument_form()
    {
        var guarded = await Fixture.StartAnotherAsync(password: $"pw-{Guid.NewGuid():N}");
        var options = RedisOptions.Parse($"{guarded.ConfigurationString},user=default");

        await using var redis = await RedisConnection.ConnectAsync(options);
        var wrong = await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RedisConnection.ConnectAsync(options with { Password = "wrong" }));

        Assert.True(await redis.PingAsync() > TimeSpan.Zero);
        Assert.IsType<RedisServerException>(wrong.InnerException);
    }

    [Fact]
    public async Task Select_uses_the_configured_database()
    {
        var inDatabase3 = await ConnectAsync(options => options with { Database = 3 });
        var inDatabase0 = await ConnectAsync();
        var key = Key("where");

        await inDatabase3.SetAsync(key, "in 3");

        Assert.Equal("in 3", await inDatabase3.GetStringAsync(key));
        Assert.Null(await inDatabase0.GetStringAsync(key));
        var another3 = await ConnectAsync(options => options with { Database = 3 });
        Assert.Equal("in 3", await another3.GetStringAsync(key));
    }

    [Fact]
    public async Task Command_times_out_with_RedisTimeoutException()
    {
        var redis = await ConnectAsync(options => options with { CommandTimeout = TimeSpan.FromMilliseconds(300) });
        var key = Key("after-timeout");

        // BLPOP on an empty list holds the reply (and the connection) for a second: past the timeout.
        var timeout = await Assert.ThrowsAsync<RedisTimeoutException>(async () =>
            await redis.ExecuteAsync("BLPOP", Key("empty"), 1));

        Assert.Contains("BLPOP", timeout.Message, StringComparison.Ordinal);
        Assert.True(redis.IsConnected);
        // PINGs queued behind BLPOP time out too, until its late nil reply has gone by. Had that
        // reply been handed to a PING instead of being dropped, PingAsync would throw a protocol error.
        await Wait.UntilAsync(async () =>
        {
            try
            {
                await redis.PingAsync();
                return true;
            }
            catch (RedisTimeoutException)
            {
                return false;
            }
        }, Patience, "the connection to answer again");
        Assert.True(await redis.SetAsync(key, "still in order"));
        Assert.Equal("still in order", await redis.GetStringAsync(key));
    }

    [Fact]
    public async Task Cancelled_command_leaves_the_connection_in_order()
    {
        var redis = await ConnectAsync();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await redis.ExecuteAsync(["BLPOP", Key("empty"), 1], cancellation.Token));

        Assert.Equal(1, await redis.IncrementAsync(Key("next")));
    }

    [Fact]
    public async Task Dispose_fails_pending_commands_with_ObjectDisposedException()
    {
        var redis = await RedisConnection.ConnectAsync(RedisOptions.Parse(Server.ConfigurationString));
        var blocked = redis.ExecuteAsync("BLPOP", Key("empty"), 5).AsTask();

        await redis.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => blocked.WaitAsync(Patience));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await redis.GetAsync(Key("any")));
    }

    protected string Key(string name) => $"{_prefix}:{name}";

    protected async Task<RedisConnection> ConnectAsync(Func<RedisOptions, RedisOptions>? configure = null)
    {
        var options = RedisOptions.Parse(Server.ConfigurationString);
        var connection = await RedisConnection.ConnectAsync(configure is null ? options : configure(options));
        _clients.Add(connection);
        return connection;
    }

    protected async Task<RedisSubscriber> SubscribeAsync()
    {
        var subscriber = await RedisSubscriber.ConnectAsync(RedisOptions.Parse(Server.ConfigurationString));
        _clients.Add(subscriber);
        return subscriber;
    }

    private async Task<string?> RoundTripTextAsync(RedisConnection redis, string text)
    {
        await redis.SetAsync(Key("text"), text);
        return await redis.GetStringAsync(Key("text"));
    }
}

public sealed class RedisServerContract(RedisServerFixture fixture) : RespClientContract<RedisServerFixture>(fixture);

public sealed class GarnetServerContract(GarnetServerFixture fixture) : RespClientContract<GarnetServerFixture>(fixture);
