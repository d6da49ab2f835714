namespace E2eeChat.Redis;

/// <summary>Why a connection dropped; reconnecting has already started.</summary>
public sealed class RedisConnectionFailedEventArgs(Exception exception) : EventArgs
{
    public Exception Exception { get; } = exception;
}
