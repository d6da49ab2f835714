using System.Collections.Concurrent;

namespace E2eeChat.LoadTest.Metrics;

/// <summary>Counts errors by kind and message, so the report can say what went wrong and how often.</summary>
internal sealed class ErrorLog
{
    private const int MaxDistinct = 50;
    private const int MaxMessageLength = 300;
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Record(string kind, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0)
        {
            message = message[..newline];
        }
        if (message.Length > MaxMessageLength)
        {
            message = message[..MaxMessageLength];
        }
        var key = $"{kind}: {exception.GetType().Name}: {message}";
        if (_counts.Count >= MaxDistinct && !_counts.ContainsKey(key))
        {
            key = $"{kind}: (other errors)";
        }
        _counts.AddOrUpdate(key, 1, static (_, count) => count + 1);
    }

    /// <summary>Error descriptions with their counts, most frequent first.</summary>
    public List<KeyValuePair<string, long>> Snapshot()
    {
        var list = new List<KeyValuePair<string, long>>(_counts);
        list.Sort(static (a, b) => b.Value.CompareTo(a.Value));
        return list;
    }
}
