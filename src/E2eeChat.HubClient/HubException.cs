namespace E2eeChat.HubClient;

/// <summary>
/// A hub method failed on the server. <see cref="Exception.Message"/> is the message of the
/// HubException the hub threw, so callers can match on its leading error code (for example
/// <c>mismatched_devices: ...</c>); <see cref="ServerError"/> is the completion's error text as sent.
/// </summary>
public sealed class HubException : Exception
{
    // ASP.NET Core wraps the message: "An unexpected error occurred invoking 'Send' on the server.
    // HubException: mismatched_devices: ...". Only a HubException's own message is meant for clients,
    // and the wrapper's wording varies (binding failures read "Failed to invoke ..."), so cut at the marker.
    private const string HubExceptionMarker = " HubException: ";

    public HubException()
    {
    }

    public HubException(string message)
        : base(message)
    {
    }

    public HubException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    private HubException(string message, string serverError)
        : base(message)
    {
        ServerError = serverError;
    }

    /// <summary>The error text of the Completion exactly as the server sent it; null when not from a server.</summary>
    public string? ServerError { get; }

    internal static HubException FromServerError(string error)
    {
        var marker = error.IndexOf(HubExceptionMarker, StringComparison.Ordinal);
        var message = marker < 0 ? error : error[(marker + HubExceptionMarker.Length)..];
        return new HubException(message, error);
    }
}
