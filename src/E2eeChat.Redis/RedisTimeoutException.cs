namespace E2eeChat.Redis;

/// <summary>
/// No reply arrived within the command timeout. The connection stays up: the late
/// reply is read and discarded when it comes, so later commands still get their own.
/// </summary>
public class RedisTimeoutException : RedisException
{
    public RedisTimeoutException()
    {
    }

    public RedisTimeoutException(string message)
        : base(message)
    {
    }

    public RedisTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
