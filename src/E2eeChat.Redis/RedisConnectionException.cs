namespace E2eeChat.Redis;

/// <summary>
/// The server could not be reached, refused the handshake, or the connection dropped.
/// A command that fails with this may or may not have run on the server.
/// </summary>
public class RedisConnectionException : RedisException
{
    public RedisConnectionException()
    {
    }

    public RedisConnectionException(string message)
        : base(message)
    {
    }

    public RedisConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
