using System.Text.Json.Nodes;

namespace E2eeChat.LoadTest.Reporting;

/// <summary><c>median PATH FILE…</c>: one figure out of result files, for scripts (the bench scripts need no jq).</summary>
internal static class ResultQuery
{
    /// <summary>The median of the number at <paramref name="path"/> (e.g. <c>measured.deliveredPerSecond</c>) over the files that have it; null when none do.</summary>
    public static double? Median(string path, IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(files);
        var values = new List<double>();
        foreach (var file in files)
        {
            JsonNode? node = JsonNode.Parse(File.ReadAllText(file));
            foreach (var name in path.Split('.'))
            {
                node = node?[name];
            }
            if (node is JsonValue value && value.TryGetValue<double>(out var number))
            {
                values.Add(number);
            }
        }
        return Numbers.Median(values);
    }
}
