namespace E2eeChat.Redis;

/// <summary>A subscription handler threw; the subscriber carried on with the next message.</summary>
public sealed class RedisHandlerFailedEventArgs(RedisMessage message, Exception exception) : EventArgs
{
    public RedisMessage Message { get; } = message;

    public Exception Exception { get; } = exception;
}
