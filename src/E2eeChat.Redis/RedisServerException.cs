namespace E2eeChat.Redis;

/// <summary>The server answered with an error reply, such as <c>WRONGTYPE ...</c> or <c>NOSCRIPT ...</c>.</summary>
public class RedisServerException : RedisException
{
    public RedisServerException()
        : this("ERR")
    {
    }

    public RedisServerException(string message)
        : base(message)
    {
        ErrorCode = FirstWord(message);
    }

    public RedisServerException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = FirstWord(message);
    }

    /// <summary>The error's first word, by Redis convention its kind: <c>ERR</c>, <c>WRONGTYPE</c>, <c>NOSCRIPT</c>, <c>NOAUTH</c>...</summary>
    public string ErrorCode { get; }

    private static string FirstWord(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var space = message.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? message : message[..space];
    }
}
