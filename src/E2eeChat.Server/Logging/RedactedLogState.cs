using System.Collections;
using System.Globalization;
using System.Text;

namespace E2eeChat.Server.Logging;

/// <summary>
/// A log entry's or scope's state after <see cref="LogRedactor"/>: the same named values, redacted,
/// and the message rendered from them. Every formatter (simple, JSON, EventSource) sees only this.
/// </summary>
internal sealed class RedactedLogState : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string OriginalFormatKey = "{OriginalFormat}";

    private readonly KeyValuePair<string, object?>[] _values;

    private RedactedLogState(KeyValuePair<string, object?>[] values, string message)
    {
        _values = values;
        Message = message;
    }

    public string Message { get; }

    public int Count => _values.Length;

    public KeyValuePair<string, object?> this[int index] => _values[index];

    /// <summary>
    /// Structured state is rebuilt from its redacted values and its template, so no original value
    /// reaches the text; anything else is formatted by its own formatter and then scrubbed.
    /// </summary>
    public static RedactedLogState From<TState>(TState state, Func<TState, Exception?, string> formatter)
    {
        if (state is IReadOnlyList<KeyValuePair<string, object?>> structured)
        {
            var values = new KeyValuePair<string, object?>[structured.Count];
            string? template = null;
            for (var i = 0; i < values.Length; i++)
            {
                var (key, value) = structured[i];
                values[i] = new(key, LogRedactor.RedactValue(key, value));
                if (key == OriginalFormatKey)
                {
                    template = value as string;
                }
            }
            var message = template is null
                ? LogRedactor.Scrub(formatter(state, null))
                : Render(template, values);
            return new RedactedLogState(values, message);
        }
        return new RedactedLogState([], LogRedactor.Scrub(formatter(state, null)));
    }

    /// <summary>
    /// A scope is redacted when an entry inside it is written, not when it begins: most scopes (one per hub call) end
    /// without any entry, and redacting them would cost every call the patterns of <see cref="LogRedactor"/>.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> FromScope<TState>(TState state) => new RedactedScope<TState>(state);

    private sealed class RedactedScope<TState>(TState state) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        // Redacting twice (two threads writing in one scope at once) gives the same result: no lock is needed.
        private RedactedLogState? _redacted;

        private RedactedLogState Redacted =>
            _redacted ??= From(state, static (s, _) => Convert.ToString(s, CultureInfo.InvariantCulture) ?? string.Empty);

        public int Count => Redacted.Count;

        public KeyValuePair<string, object?> this[int index] => Redacted[index];

        public override string ToString() => Redacted.Message;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Redacted.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public override string ToString() => Message;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Fills a message template (<c>"Request {Path} took {Elapsed:0.00}ms"</c>) as the logging
    /// library does: holes by name, with format and alignment, <c>{{</c> and <c>}}</c> as braces.
    /// </summary>
    private static string Render(string template, KeyValuePair<string, object?>[] values)
    {
        var text = new StringBuilder(template.Length + 64);
        var position = 0;
        var hole = 0;
        while (position < template.Length)
        {
            var c = template[position];
            if (c is '{' or '}' && position + 1 < template.Length && template[position + 1] == c)
            {
                text.Append(c);
                position += 2;
                continue;
            }
            var end = c == '{' ? template.IndexOf('}', position + 1) : -1;
            if (end < 0)
            {
                text.Append(c);
                position++;
                continue;
            }
            AppendHole(text, template.AsSpan(position + 1, end - position - 1), values, hole++);
            position = end + 1;
        }
        return text.ToString();
    }

    private static void AppendHole(StringBuilder text, ReadOnlySpan<char> hole, KeyValuePair<string, object?>[] values, int index)
    {
        var formatAt = hole.IndexOf(':');
        var format = formatAt < 0 ? null : hole[(formatAt + 1)..].ToString();
        var head = formatAt < 0 ? hole : hole[..formatAt];
        var alignAt = head.IndexOf(',');
        var alignment = alignAt >= 0 && int.TryParse(head[(alignAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var a) ? a : 0;
        var name = (alignAt < 0 ? head : head[..alignAt]).Trim().TrimStart("@$");

        var value = Find(values, name, index);
        var rendered = value switch
        {
            null => "(null)",
            IFormattable formattable when format is not null => formattable.ToString(format, CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "(null)",
        };
        text.Append(alignment < 0 ? rendered.PadRight(-alignment) : rendered.PadLeft(alignment));
    }

    // By name first (custom states list their values in their own order), else by position.
    private static object? Find(KeyValuePair<string, object?>[] values, ReadOnlySpan<char> name, int index)
    {
        foreach (var (key, value) in values)
        {
            if (name.Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        var position = 0;
        foreach (var (key, value) in values)
        {
            if (key != OriginalFormatKey && position++ == index)
            {
                return value;
            }
        }
        return null;
    }
}
