namespace E2eeChat.Server.Limits;

public static class ClientAddress
{
    /// <summary>The client's IP, after forwarded headers from a trusted proxy (nginx) are applied.</summary>
    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }
}
