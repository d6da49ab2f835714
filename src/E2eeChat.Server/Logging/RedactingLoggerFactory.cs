using System.Collections.Concurrent;

namespace E2eeChat.Server.Logging;

/// <summary>
/// The application's <see cref="ILoggerFactory"/>: the framework's, with every logger it creates
/// wrapped in a <see cref="RedactingLogger"/>. Level filters still apply first, so a disabled
/// entry costs no redaction; every provider (console in any format, EventSource, debug, or one
/// added later) receives only redacted state.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName, static (name, factory) => new RedactingLogger(factory.CreateLogger(name)), inner);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}
