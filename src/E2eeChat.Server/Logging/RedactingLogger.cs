namespace E2eeChat.Server.Logging;

/// <summary>Passes every entry and scope through <see cref="LogRedactor"/> before the real logger sees it.</summary>
internal sealed class RedactingLogger(ILogger inner) : ILogger
{
    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull =>
        inner.BeginScope(RedactedLogState.FromScope(state));

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }
        inner.Log(logLevel, eventId, RedactedLogState.From(state, formatter), RedactedException.From(exception),
            static (redacted, _) => redacted.Message);
    }
}
