namespace E2eeChat.HubClient;

/// <summary>
/// The connection is not open, or closed while an operation was under way. It is what
/// <see cref="HubConnection.Closed"/> reports when the connection ended for any reason other than
/// the caller stopping it: the server's Close message (<see cref="ServerError"/>,
/// <see cref="AllowReconnect"/>), a transport failure or the server timeout (the
/// <see cref="Exception.InnerException"/>).
/// </summary>
public sealed class HubConnectionClosedException : InvalidOperationException
{
    public HubConnectionClosedException()
        : this("The connection is closed.")
    {
    }

    public HubConnectionClosedException(string message)
        : base(message)
    {
    }

    public HubConnectionClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal HubConnectionClosedException(string message, string? serverError, bool allowReconnect,
        Exception? innerException)
        : base(message, innerException)
    {
        ServerError = serverError;
        AllowReconnect = allowReconnect;
    }

    /// <summary>The error text of the server's Close message, if it sent one with an error.</summary>
    public string? ServerError { get; }

    /// <summary>True only when the server's Close message said that reconnecting is welcome.</summary>
    public bool AllowReconnect { get; }
}
