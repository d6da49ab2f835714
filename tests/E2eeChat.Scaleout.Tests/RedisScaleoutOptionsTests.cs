using E2eeChat.Scaleout.Tests.Fakes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace E2eeChat.Scaleout.Tests;

public sealed class RedisScaleoutOptionsTests
{
    [Fact]
    public async Task AddRedisScaleout_binds_the_options_from_configuration_and_replaces_the_in_memory_manager()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = "127.0.0.1:1,connectTimeout=100",
            ["Redis:ChannelPrefix"] = "cluster-a",
            ["Redis:AckTimeout"] = "00:00:02",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSignalR().AddRedisScaleout(configuration.GetSection("Redis"));
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RedisScaleoutOptions>>().Value;
        Assert.Equal("127.0.0.1:1,connectTimeout=100", options.Configuration);
        Assert.Equal("cluster-a", options.ChannelPrefix);
        Assert.Equal(TimeSpan.FromSeconds(2), options.AckTimeout);
        Assert.IsType<RedisHubLifetimeManager<TestHub>>(provider.GetRequiredService<HubLifetimeManager<TestHub>>());
        Assert.Same(provider.GetRequiredService<RedisBackplane>(), provider.GetRequiredService<RedisBackplane>());
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is RedisBackplaneStartup);
    }

    [Fact]
    public void The_defaults_need_only_a_configuration_string()
    {
        var options = new RedisScaleoutOptions { Configuration = "redis:6379" };

        Assert.True(Validate(options).Succeeded);
        Assert.Equal("e2eechat", options.ChannelPrefix);
        Assert.Equal(TimeSpan.FromSeconds(5), options.AckTimeout);
    }

    [Theory]
    [InlineData("", "e2eechat", 5, "Configuration is required")]
    [InlineData("redis:6379,bogus=1", "e2eechat", 5, "not a valid Redis configuration")]
    [InlineData("redis:6379", " ", 5, "ChannelPrefix")]
    [InlineData("redis:6379", "two words", 5, "ChannelPrefix")]
    [InlineData("redis:6379", "e2eechat", 0, "AckTimeout")]
    [InlineData("redis:6379", "e2eechat", 3600, "AckTimeout")]
    public void Settings_that_cannot_work_fail_validation_naming_the_setting(string configuration, string prefix,
        int ackSeconds, string expected)
    {
        var result = Validate(new RedisScaleoutOptions
        {
            Configuration = configuration,
            ChannelPrefix = prefix,
            AckTimeout = TimeSpan.FromSeconds(ackSeconds),
        });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_fail_when_they_are_first_used()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSignalR().AddRedisScaleout(options => options.Configuration = "");
        await using var provider = services.BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisScaleoutOptions>>().Value);
    }

    private static ValidateOptionsResult Validate(RedisScaleoutOptions options) =>
        new RedisScaleoutOptionsValidator().Validate(Options.DefaultName, options);
}
