namespace E2eeChat.Redis;

/// <summary>The base of every failure this client reports, so callers can catch them as one.</summary>
public class RedisException : Exception
{
    public RedisException()
    {
    }

    public RedisException(string message)
        : base(message)
    {
    }

    public RedisException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
