using System.Globalization;
using E2eeChat.LoadTest.Cli;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Scenarios;
using Spectre.Console;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>
/// Shows a run's progress while it works: a live table on a terminal, or a plain line every interval
/// when the output is redirected (CI). Either way it seals the timeline's finished seconds as it goes.
/// </summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    public static async Task<T> RunAsync<T>(LoadRun run, TextWriter output, Task<T> work)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(work);
        var rate = new RateMeter(run.Counters);
        switch (Resolve(run.Options.Progress))
        {
            case ProgressMode.Live:
                var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn(new TableColumn("").RightAligned());
                table.ShowHeaders = false;
                await AnsiConsole.Live(table).AutoClear(false).StartAsync(async context =>
                {
                    while (await TickAsync(run, work).ConfigureAwait(false))
                    {
                        Fill(table, Snapshot.Take(run, rate));
                        context.Refresh();
                    }
                    Fill(table, Snapshot.Take(run, rate));
                }).ConfigureAwait(false);
                break;
            case ProgressMode.Plain:
                var nextLine = RunClock.After(RunClock.Now, run.Options.ProgressInterval);
                while (await TickAsync(run, work).ConfigureAwait(false))
                {
                    if (RunClock.Now >= nextLine)
                    {
                        await output.WriteLineAsync(Snapshot.Take(run, rate).ToLine()).ConfigureAwait(false);
                        nextLine = RunClock.After(RunClock.Now, run.Options.ProgressInterval);
                    }
                }
                break;
            case ProgressMode.Auto:
            case ProgressMode.None:
            default:
                while (await TickAsync(run, work).ConfigureAwait(false))
                {
                }
                break;
        }
        return await work.ConfigureAwait(false);
    }

    /// <summary>Live on an interactive terminal, plain lines otherwise.</summary>
    public static ProgressMode Resolve(ProgressMode mode) => mode != ProgressMode.Auto
        ? mode
        : !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive ? ProgressMode.Live : ProgressMode.Plain;

    /// <summary>Waits a tick (or until the work ends) and seals the timeline; false once the work has ended.</summary>
    private static async Task<bool> TickAsync(LoadRun run, Task work)
    {
        await Task.WhenAny(work, Task.Delay(Tick)).ConfigureAwait(false);
        run.Timeline.Seal(RunClock.Now);
        return !work.IsCompleted;
    }

    private static void Fill(Table table, Snapshot snapshot)
    {
        table.Rows.Clear();
        foreach (var (name, value) in snapshot.Rows())
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(value));
        }
    }

    /// <summary>Delivered envelopes per second since the previous reading.</summary>
    private sealed class RateMeter(RunCounters counters)
    {
        private long _lastAt = RunClock.Now;
        private long _lastDelivered;

        public double Read()
        {
            var now = RunClock.Now;
            var delivered = Volatile.Read(ref counters.Delivered);
            var seconds = RunClock.ToSeconds(now - _lastAt);
            var rate = seconds > 0 ? (delivered - _lastDelivered) / seconds : 0;
            _lastAt = now;
            _lastDelivered = delivered;
            return rate;
        }
    }

    private sealed record Snapshot(string Phase, double Elapsed, long Devices, long Open, long ConnectFailures, long Sent,
        long Delivered, long Errors, double Rate)
    {
        public static Snapshot Take(LoadRun run, RateMeter rate)
        {
            var counters = run.Counters;
            var now = RunClock.Now;
            var phase = counters.Phase;
            if (phase == "sending")
            {
                phase = now < run.Clock.WindowStart ? "warm-up" : "measuring";
            }
            return new Snapshot(phase, RunClock.ToSeconds(now - run.StartedAt), Volatile.Read(ref counters.DevicesCreated),
                Volatile.Read(ref counters.ConnectionsOpen), Volatile.Read(ref counters.ConnectFailures),
                Volatile.Read(ref counters.EnvelopesSent), Volatile.Read(ref counters.Delivered), counters.Errors, rate.Read());
        }

        public IEnumerable<(string, string)> Rows()
        {
            yield return ("phase", Phase);
            yield return ("elapsed", F($"{Elapsed:0.0} s"));
            yield return ("devices created", F($"{Devices:N0}"));
            yield return ("connections open", F($"{Open:N0}"));
            yield return ("connect failures", F($"{ConnectFailures:N0}"));
            yield return ("envelopes sent", F($"{Sent:N0}"));
            yield return ("envelopes delivered", F($"{Delivered:N0}"));
            yield return ("in flight", F($"{Math.Max(0, Sent - Delivered):N0}"));
            yield return ("errors", F($"{Errors:N0}"));
            yield return ("delivered/s now", F($"{Rate:N0}"));
        }

        public string ToLine() => F(
            $"[{Elapsed,7:0.0}s] {Phase,-20} devices {Devices,7} open {Open,7} sent {Sent,10} delivered {Delivered,10} in flight {Math.Max(0, Sent - Delivered),7} errors {Errors,5} delivered/s {Rate,8:0}");

        private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
