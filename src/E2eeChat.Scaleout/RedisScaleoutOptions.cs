using E2eeChat.Redis;

namespace E2eeChat.Scaleout;

/// <summary>
/// How hub instances find each other through Redis. Bind it from a configuration section such as
/// <c>{ "Configuration": "redis:6379,password=...", "ChannelPrefix": "e2eechat", "AckTimeout": "00:00:05" }</c>;
/// it is validated when the host starts.
/// </summary>
public sealed class RedisScaleoutOptions
{
    /// <summary>A configuration string for <see cref="RedisOptions.Parse"/>, e.g. <c>127.0.0.1:6379,password=secret</c>.</summary>
    public string Configuration { get; set; } = "";

    /// <summary>
    /// Starts every channel name, so several deployments can share one Redis. Instances that should
    /// reach each other must use the same prefix.
    /// </summary>
    public string ChannelPrefix { get; set; } = "e2eechat";

    /// <summary>How long a group change for a connection on another instance waits for that instance to confirm it.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal RedisOptions ToRedisOptions() => RedisOptions.Parse(Configuration);
}
