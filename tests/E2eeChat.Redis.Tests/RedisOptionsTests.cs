using Xunit;

namespace E2eeChat.Redis.Tests;

public sealed class RedisOptionsTests
{
    [Fact]
    public void Parses_a_StackExchange_style_configuration_string()
    {
        var options = RedisOptions.Parse(
            "redis.internal:6380, password=s3cret ,user=hub,defaultDatabase=2,connectTimeout=1500,syncTimeout=250,name=hub-1," +
            "reconnectInitialDelay=20,reconnectMaxDelay=3000,ssl=false");

        Assert.Equal("redis.internal", options.Host);
        Assert.Equal(6380, options.Port);
        Assert.Equal("s3cret", options.Password);
        Assert.Equal("hub", options.User);
        Assert.Equal(2, options.Database);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.CommandTimeout);
        Assert.Equal("hub-1", options.ClientName);
        Assert.Equal(TimeSpan.FromMilliseconds(20), options.ReconnectInitialDelay);
        Assert.Equal(TimeSpan.FromSeconds(3), options.ReconnectMaxDelay);
    }

    [Theory]
    [InlineData("cache", "cache", 6379)]
    [InlineData("127.0.0.1:7000", "127.0.0.1", 7000)]
    [InlineData("[::1]:7001", "::1", 7001)]
    [InlineData("[::1]", "::1", 6379)]
    [InlineData("::1", "::1", 6379)]
    public void Parses_endpoints(string configuration, string host, int port)
    {
        var options = RedisOptions.Parse(configuration);

        Assert.Equal((host, port), (options.Host, options.Port));
    }

    [Theory]
    [InlineData("host:6379,unknownOption=1")]
    [InlineData("host:6379,other:6380")]
    [InlineData("password=only")]
    [InlineData("host:99999")]
    [InlineData("host:6379,defaultDatabase=two")]
    [InlineData("host:6379,ssl=true")]
    public void Rejects_configuration_it_cannot_honour(string configuration)
    {
        Assert.Throws<FormatException>(() => RedisOptions.Parse(configuration));
    }

    [Fact]
    public void Validate_names_the_setting_that_cannot_work()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new RedisOptions { User = "app" }.Validate());
        Assert.Contains("User needs a Password", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new RedisOptions { ClientName = "has space" }.Validate());
        Assert.Throws<ArgumentException>(() => new RedisOptions { CommandTimeout = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>(() => new RedisOptions { CommandTimeout = TimeSpan.MaxValue }.Validate());
    }

    [Fact]
    public void ToString_leaves_the_password_out()
    {
        var text = RedisOptions.Parse("host:1,password=hunter2").ToString();

        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.StartsWith("host:1,", text, StringComparison.Ordinal);
    }
}
