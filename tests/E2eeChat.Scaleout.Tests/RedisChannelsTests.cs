namespace E2eeChat.Scaleout.Tests;

public sealed class RedisChannelsTests
{
    private readonly RedisChannels _channels = new("e2eechat", "E2eeChat.Server.ChatHub");

    [Fact]
    public void Every_channel_starts_with_the_prefix_and_the_hub()
    {
        var server = ServerId.New();
        string[] channels =
        [
            _channels.All, _channels.Group("room"), _channels.User("alice"), _channels.Connection("c1"),
            _channels.Ack(server), _channels.Results(server),
        ];

        Assert.All(channels, c => Assert.StartsWith("e2eechat:E2eeChat.Server.ChatHub:", c, StringComparison.Ordinal));
        Assert.Equal(channels.Length, channels.Distinct().Count());
    }

    [Fact]
    public void Kinds_of_name_never_share_a_channel()
    {
        Assert.NotEqual(_channels.Group("x"), _channels.User("x"));
        Assert.NotEqual(_channels.User("x"), _channels.Connection("x"));
        Assert.NotEqual(_channels.Ack(ServerId.New()), _channels.Ack(ServerId.New()));
    }
}
