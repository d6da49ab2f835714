using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using E2eeChat.LoadTest.Api;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>A self-contained HTML page for one run: verdict, figures, charts as inline SVG, parameters and errors.</summary>
internal static class HtmlReport
{
    private const string Style = """
        body { font-family: sans-serif; margin: 24px; color: #222; max-width: 900px; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ccc; }
        table { border-collapse: collapse; margin: 8px 0; } td, th { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .pass { background: #e3f4e3; padding: 8px 12px; } .fail { background: #fbe3e3; padding: 8px 12px; }
        svg { display: block; margin: 12px 0; } .note { fill: #888; }
        """;

    public static string Render(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder();
        var title = $"E2eeChat load test: {result.Scenario}{(result.Label is null ? "" : $" ({result.Label})")}";
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Escape(title))
            .Append("</title><style>").Append(Style).Append("</style></head><body>");
        html.Append("<h1>").Append(Escape(title)).Append("</h1>");
        html.Append(CultureInfo.InvariantCulture,
            $"<p>Started {result.StartedAt:u} against {Escape(result.Parameters.Url)}; {result.ElapsedSeconds:0.#} s in all; load average {Escape(result.LoadAverageAtStart ?? "?")} at the start, {Escape(result.LoadAverageAtEnd ?? "?")} at the end, on {result.ProcessorCount} processors.</p>");
        Verdict(html, result.Verdict);

        html.Append("<h2>Key figures</h2>");
        Table(html, [
            ("Delivered envelopes/s (measured window)", Numbers.Short(result.Measured.DeliveredPerSecond)),
            ("Sent envelopes/s (measured window)", Numbers.Short(result.Measured.SentPerSecond)),
            ("Measured window", $"{Numbers.Short(result.Measured.Seconds)} s"),
            ("Latency p50 / p90 / p99 / p99.9 / max (ms)",
                $"{Numbers.Short(result.Latency.P50Ms)} / {Numbers.Short(result.Latency.P90Ms)} / {Numbers.Short(result.Latency.P99Ms)} / {Numbers.Short(result.Latency.P999Ms)} / {Numbers.Short(result.Latency.MaxMs)}"),
            ("Latency samples", result.Latency.Count.ToString(CultureInfo.InvariantCulture)),
        ]);
        html.Append("<h2>Totals</h2>");
        Properties(html, result.Totals);
        if (result.Connections is { } connections)
        {
            html.Append("<h2>Connections</h2>");
            Properties(html, connections);
        }
        if (result.Server is { } server)
        {
            html.Append("<h2>Server memory (VmRSS)</h2>");
            Properties(html, server);
        }
        if (result.Cpu is { } cpu)
        {
            html.Append("<h2>CPU while measuring (cores busy on average)</h2>");
            Properties(html, cpu);
        }
        if (result.Drain is { } drain)
        {
            html.Append("<h2>Drain</h2>");
            Properties(html, drain);
        }
        Charts(html, result);
        if (result.Errors.Count > 0)
        {
            html.Append("<h2>Errors</h2><table><tr><th>Count</th><th>Error</th></tr>");
            foreach (var error in result.Errors)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"n\">{error.Count}</td><td>{Escape(error.Error)}</td></tr>");
            }
            html.Append("</table>");
        }
        html.Append("<h2>Parameters</h2>");
        Properties(html, result.Parameters);
        html.Append("<p class=\"note\">Envelope counts are per destination device. Latency is from the send call to the arrival at each device, for messages sent in the measured window; throughput counts the envelopes that arrived in it. The full data is in result.json next to this file.</p>");
        return html.Append("</body></html>").ToString();
    }

    private static void Charts(StringBuilder html, RunResult result)
    {
        if (result.Timeline.Count == 0)
        {
            return;
        }
        var warmup = result.Parameters.WarmupSeconds > 0 && result.Drain is null ? result.Parameters.WarmupSeconds : (double?)null;
        var sent = new List<ChartPoint>();
        var delivered = new List<ChartPoint>();
        var p50 = new List<ChartPoint>();
        var p99 = new List<ChartPoint>();
        var max = new List<ChartPoint>();
        foreach (var point in result.Timeline)
        {
            sent.Add(new ChartPoint(point.Second, point.Sent));
            delivered.Add(new ChartPoint(point.Second, point.Delivered));
            if (point.Delivered > 0)
            {
                p50.Add(new ChartPoint(point.Second, point.P50Ms));
                p99.Add(new ChartPoint(point.Second, point.P99Ms));
                max.Add(new ChartPoint(point.Second, point.MaxMs));
            }
        }
        html.Append("<h2>Over time</h2>");
        html.Append(SvgChart.Lines("Envelopes per second", "seconds since sending started", "envelopes/s",
            [new ChartSeries("delivered", "#2a7ab0", delivered), new ChartSeries("sent", "#999", sent, Dashed: true)], warmup));
        html.Append(SvgChart.Lines("Latency, send → device, by second of arrival", "seconds since sending started", "ms",
            [new ChartSeries("p50", "#2a7ab0", p50), new ChartSeries("p99", "#d08a1c", p99), new ChartSeries("max", "#b03030", max, Dashed: true)],
            warmup));
        if (result.Histogram.Count > 0)
        {
            var bars = new List<ChartBar>(result.Histogram.Count);
            foreach (var bin in result.Histogram)
            {
                bars.Add(new ChartBar(Numbers.Short(bin.FromMs), bin.Count));
            }
            html.Append("<h2>Latency distribution (measured window)</h2>");
            html.Append(SvgChart.Bars("Envelopes by latency", "latency (ms), log-spaced bins", "envelopes", bars));
        }
    }

    private static void Verdict(StringBuilder html, Verdict verdict)
    {
        if (verdict.Passed)
        {
            html.Append("<p class=\"pass\"><b>Passed</b>: loss and errors within the thresholds (exit code 0).</p>");
            return;
        }
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"fail\"><b>Thresholds exceeded</b> (exit code {verdict.ExitCode}): ")
            .Append(Escape(string.Join("; ", verdict.Reasons))).Append(".</p>");
    }

    /// <summary>A record's properties by their JSON names, as a two-column table.</summary>
    private static void Properties<T>(StringBuilder html, T record)
    {
        var rows = new List<(string, string)>();
        foreach (var property in JsonSerializer.SerializeToElement(record, LoadJson.Options).EnumerateObject())
        {
            var value = property.Value.ValueKind switch
            {
                JsonValueKind.Null => "–",
                JsonValueKind.Object or JsonValueKind.Array => property.Value.GetRawText(),
                _ => property.Value.ToString(),
            };
            rows.Add((property.Name, value));
        }
        Table(html, rows);
    }

    private static void Table(StringBuilder html, IReadOnlyList<(string Name, string Value)> rows)
    {
        html.Append("<table>");
        foreach (var (name, value) in rows)
        {
            html.Append("<tr><th>").Append(Escape(name)).Append("</th><td class=\"n\">").Append(Escape(value)).Append("</td></tr>");
        }
        html.Append("</table>");
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
