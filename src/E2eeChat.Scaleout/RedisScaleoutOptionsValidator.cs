using Microsoft.Extensions.Options;

namespace E2eeChat.Scaleout;

/// <summary>Fails start-up with every setting that cannot work, rather than the first Redis call.</summary>
internal sealed class RedisScaleoutOptionsValidator : IValidateOptions<RedisScaleoutOptions>
{
    private static readonly TimeSpan MaxAckTimeout = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, RedisScaleoutOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            failures.Add("RedisScaleoutOptions.Configuration is required, e.g. \"127.0.0.1:6379\".");
        }
        else
        {
            try
            {
                options.ToRedisOptions();
            }
            catch (Exception exception) when (exception is FormatException or ArgumentException)
            {
                failures.Add($"RedisScaleoutOptions.Configuration is not a valid Redis configuration: {exception.Message}");
            }
        }
        if (string.IsNullOrWhiteSpace(options.ChannelPrefix) || ContainsWhiteSpace(options.ChannelPrefix))
        {
            failures.Add("RedisScaleoutOptions.ChannelPrefix must be a non-empty name without white space.");
        }
        if (options.AckTimeout <= TimeSpan.Zero || options.AckTimeout > MaxAckTimeout)
        {
            failures.Add($"RedisScaleoutOptions.AckTimeout must be positive and at most {MaxAckTimeout.TotalMinutes:0} minutes.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool ContainsWhiteSpace(string text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }
        return false;
    }
}
