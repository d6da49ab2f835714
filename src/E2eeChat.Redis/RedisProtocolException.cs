namespace E2eeChat.Redis;

/// <summary>
/// The bytes from the server are not valid RESP, or a reply has a shape the command cannot have.
/// A malformed stream cannot be resynchronised, so the connection is dropped and reopened.
/// </summary>
public class RedisProtocolException : RedisException
{
    public RedisProtocolException()
    {
    }

    public RedisProtocolException(string message)
        : base(message)
    {
    }

    public RedisProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
