using E2eeChat.Domain.Common;
using StackExchange.Redis;

namespace E2eeChat.Server.Cluster;

/// <summary>Where Redis is; bound from the <c>Redis</c> section. Setting <see cref="Configuration"/> turns on cluster mode.</summary>
public sealed class RedisConnectionOptions : IValidatedOptions
{
    public const string SectionName = "Redis";

    /// <summary>
    /// A StackExchange.Redis configuration string: <c>host:port</c>, or several nodes of a Redis Cluster
    /// (<c>10.0.0.1:7000,10.0.0.2:7000</c>), then options such as <c>password=…,user=…,ssl=true</c>.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>Starts every pub/sub channel (the hub's and the device bus's), so deployments can share one Redis.</summary>
    public string ChannelPrefix { get; set; } = "e2eechat";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Configuration);

    /// <summary>Without Redis (the embedded mode) there is nothing to check; with it, the string must parse.</summary>
    public void Validate()
    {
        if (IsConfigured)
        {
            _ = ToConfigurationOptions();
        }
    }

    /// <summary>The multiplexer's options, or a start-up failure that says which setting is wrong.</summary>
    internal ConfigurationOptions ToConfigurationOptions()
    {
        if (string.IsNullOrWhiteSpace(ChannelPrefix) || ChannelPrefix.Any(char.IsWhiteSpace))
        {
            throw new InvalidOperationException("Redis:ChannelPrefix must be a non-empty name without white space.");
        }
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(Configuration!);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException(
                $"Redis:Configuration is not a StackExchange.Redis configuration string: {exception.Message}", exception);
        }
        if (options.EndPoints.Count == 0)
        {
            throw new InvalidOperationException("Redis:Configuration names no endpoint; start it with host:port.");
        }
        // Start without Redis and keep reconnecting: an instance serves its own connections meanwhile.
        options.AbortOnConnectFail = false;
        // Everything Redis carries is a hint the mailbox makes up for: fail at once instead of queueing while it is down.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        // Short waits between attempts, so fan-out resumes within about two seconds of Redis returning.
        options.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 2000);
        options.ChannelPrefix = RedisChannel.Literal(ChannelPrefix + ":");
        return options;
    }
}
