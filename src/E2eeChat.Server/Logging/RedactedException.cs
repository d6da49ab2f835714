namespace E2eeChat.Server.Logging;

/// <summary>
/// Stands in for a logged exception whose message or stack text held a secret (an identity
/// library quoting a token, a driver quoting a connection string): formatters print
/// <see cref="ToString"/>, which is the original's, scrubbed.
/// </summary>
internal sealed class RedactedException : Exception
{
    private readonly string _text;

    private RedactedException(string message, string text)
        : base(message)
    {
        _text = text;
    }

    /// <summary>The exception itself when nothing in it needs redacting, which is the usual case.</summary>
    public static Exception? From(Exception? exception)
    {
        if (exception is null)
        {
            return null;
        }
        var text = exception.ToString();
        var scrubbedText = LogRedactor.Scrub(text);
        var scrubbedMessage = LogRedactor.Scrub(exception.Message);
        return string.Equals(scrubbedText, text, StringComparison.Ordinal) && string.Equals(scrubbedMessage, exception.Message, StringComparison.Ordinal)
            ? exception
            : new RedactedException(scrubbedMessage, scrubbedText);
    }

    public override string ToString() => _text;
}
