namespace E2eeChat.Server.Hosting;

public static class ServerDefaults
{
    /// <summary>Where the embedded default listens when nothing else is configured.</summary>
    public const string Url = "http://127.0.0.1:5080";
}
