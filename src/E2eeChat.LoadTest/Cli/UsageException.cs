namespace E2eeChat.LoadTest.Cli;

/// <summary>The command line cannot be run as given; the message says why.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
