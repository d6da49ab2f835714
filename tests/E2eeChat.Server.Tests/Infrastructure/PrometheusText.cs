using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>
/// A strict reader of the Prometheus text exposition format (0.0.4): every line is a HELP, a TYPE, a comment or a
/// sample of a declared family with well-formed labels and a number; anything else throws with the line.
/// </summary>
public sealed partial class PrometheusText
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];
    private readonly Dictionary<string, double> _samples = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);

    private PrometheusText()
    {
    }

    /// <summary>Each declared family and its type.</summary>
    public IReadOnlyDictionary<string, string> FamilyTypes => _types;

    public static PrometheusText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parsed = new PrometheusText();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }
            try
            {
                parsed.Read(line);
            }
            catch (FormatException exception)
            {
                throw new FormatException($"Line {i + 1}: {exception.Message}: {line}", exception);
            }
        }
        return parsed;
    }

    /// <summary>The value of one series (labels as written, without otel_scope_name), 0 when absent (a counter not yet moved).</summary>
    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var key = Key(name, labels.Select(l => (l.Label, l.Value)).Where(l => l.Label != "otel_scope_name"));
        return _samples.TryGetValue(key, out var value) ? value : 0;
    }

    private void Read(string line)
    {
        if (line.StartsWith('#'))
        {
            var help = HelpOrType().Match(line);
            if (!help.Success)
            {
                return; // a plain comment
            }
            var name = help.Groups["name"].Value;
            if (help.Groups["kind"].Value == "TYPE")
            {
                var type = help.Groups["rest"].Value;
                if (!Types.Contains(type) || !_types.TryAdd(name, type))
                {
                    throw new FormatException($"bad or repeated TYPE for {name}");
                }
            }
            return;
        }
        var sample = Sample().Match(line);
        if (!sample.Success)
        {
            throw new FormatException("not a sample");
        }
        var metric = sample.Groups["name"].Value;
        if (!_types.Keys.Any(family => metric == family || (metric.StartsWith(family, StringComparison.Ordinal)
                && metric[family.Length..] is "_bucket" or "_sum" or "_count" or "_total" or "_created")))
        {
            throw new FormatException($"{metric} has no TYPE before it");
        }
        var labels = new List<(string, string)>();
        var labelText = sample.Groups["labels"].Value;
        var at = 0;
        while (at < labelText.Length)
        {
            var label = Label().Match(labelText, at);
            if (!label.Success || label.Index != at)
            {
                throw new FormatException("malformed labels");
            }
            labels.Add((label.Groups["label"].Value, Unescape(label.Groups["value"].Value)));
            at += label.Length;
        }
        var valueText = sample.Groups["value"].Value;
        var value = valueText switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        var key = Key(metric, labels.Where(l => l.Item1 != "otel_scope_name"));
        if (!_samples.TryAdd(key, value))
        {
            throw new FormatException($"the series {key} appears twice");
        }
    }

    private static string Key(string name, IEnumerable<(string Label, string Value)> labels) =>
        $"{name}{{{string.Join(",", labels.OrderBy(l => l.Label, StringComparer.Ordinal).Select(l => $"{l.Label}={l.Value}"))}}}";

    private static string Unescape(string value)
    {
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\')
            {
                i++;
                text.Append(value[i] switch
                {
                    'n' => '\n',
                    '\\' => '\\',
                    '"' => '"',
                    _ => throw new FormatException($"bad escape \\{value[i]}"),
                });
            }
            else
            {
                text.Append(value[i]);
            }
        }
        return text.ToString();
    }

    [GeneratedRegex("""^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) ?(?<rest>.*)$""")]
    private static partial Regex HelpOrType();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (?<value>[^ ]+)( -?[0-9]+)?$""")]
    private static partial Regex Sample();

    [GeneratedRegex("""(?<label>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\\n]|\\.)*)",?""")]
    private static partial Regex Label();
}
