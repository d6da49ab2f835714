using System.Globalization;
using System.Text;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>The few lines printed when a run ends: the figures that answer "what does it hold", and the verdict.</summary>
internal static class ConsoleSummary
{
    public static string Render(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        var totals = result.Totals;
        Line(text, $"{result.Scenario}: sent {totals.Sent}, delivered {totals.Delivered}, lost {totals.Lost}, server duplicates {totals.ServerDuplicates}, content duplicates {totals.ContentDuplicates}, reordered {totals.Reordered}, receipts {totals.Receipts}, errors {totals.Errors}");
        if (result.Latency.Count > 0)
        {
            var latency = result.Latency;
            Line(text, $"measured {result.Measured.Seconds:0.#} s: {result.Measured.DeliveredPerSecond:0.#} delivered envelopes/s; latency ms p50 {latency.P50Ms:0.###} p90 {latency.P90Ms:0.###} p99 {latency.P99Ms:0.###} p99.9 {latency.P999Ms:0.###} max {latency.MaxMs:0.###} ({latency.Count} samples)");
        }
        if (totals.LateSends > 0)
        {
            Line(text, $"{totals.LateSends} sends started late: the offered rate was not kept up (server or this machine saturated)");
        }
        if (result.Connections is { } connections)
        {
            Line(text, $"connections: {connections.Connected}/{connections.Target} in {connections.ConnectSeconds:0.###} s ({connections.ConnectsPerSecond:0.#}/s), connect p50 {connections.ConnectLatency.P50Ms:0.###} ms p99 {connections.ConnectLatency.P99Ms:0.###} ms; {connections.DroppedWhileHeld} dropped while held {connections.HeldSeconds:0.#} s; client {connections.ClientKiBPerConnection:0.#} KiB/connection");
        }
        if (result.Server is { } server)
        {
            Line(text, $"server pid {server.Pid} ({server.Command}): VmRSS {server.RssKiBBefore} KiB before, {server.RssKiBAfter} KiB after, {server.KiBPerConnection:0.#} KiB per connection{(server.RssKiBAtEnd is { } atEnd ? $"; {atEnd} KiB once the server had closed them" : "")}");
        }
        if (result.Drain is { } drain)
        {
            Line(text, $"drain: {drain.EnvelopesPerDevice} envelopes × {drain.Devices} device(s) filled in {drain.FillSeconds:0.###} s ({drain.FilledPerSecond:0.#} sends/s); QueueEmpty after {drain.SecondsToQueueEmpty:0.###} s, all received after {drain.SecondsToAllReceived:0.###} s ({drain.DrainedPerSecond:0.#} envelopes/s){(drain.Complete ? "" : ", INCOMPLETE")}");
        }
        if (result.Cpu is { } cpu)
        {
            Line(text, $"cpu over {cpu.Seconds:0.#} s: machine {cpu.MachineBusyCores:0.##} of {cpu.MachineCores:0.##} cores busy; this tool {cpu.ToolCores:0.##}; server {(cpu.ServerCores is { } serverCores ? serverCores.ToString("0.##", CultureInfo.InvariantCulture) : "not local")}{string.Concat(cpu.Processes.Select(process => string.Create(CultureInfo.InvariantCulture, $"; {process.Key} {process.Value:0.##}")))}");
        }
        foreach (var error in result.Errors)
        {
            Line(text, $"  {error.Count} × {error.Error}");
        }
        if (result.Verdict.Passed)
        {
            Line(text, $"PASSED (exit {result.Verdict.ExitCode})");
        }
        else
        {
            Line(text, $"THRESHOLDS EXCEEDED (exit {result.Verdict.ExitCode}): {string.Join("; ", result.Verdict.Reasons)}");
        }
        return text.ToString();
    }

    private static void Line(StringBuilder text, FormattableString line) =>
        text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
}
