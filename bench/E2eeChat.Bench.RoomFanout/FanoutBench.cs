using System.Globalization;

namespace E2eeChat.Bench.RoomFanout;

/// <summary>
/// Fan-out of one message to a room (default 50 users × 2 devices): PostgreSQL (durable) and the server in
/// cluster mode are started here; each run prints p50/p99 over its repeats, and the last line the medians over runs.
/// </summary>
internal static class FanoutBench
{
    public static async Task<int> Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        Print($"Starting PostgreSQL (durable) and the server (cluster mode); {Environment.ProcessorCount} cores.");
        await using var cluster = await BenchCluster.StartAsync(options);
        Print($"Creating {options.Users} users × {options.Devices} devices in one room.");
        using var room = await BenchRoom.CreateAsync(cluster.BaseAddress, options.Users, options.Devices);
        await using var fanout = await HubFanout.ConnectAsync(cluster.BaseAddress, room, options.Bytes);
        Print($"Every device connected to /hubs/chat. Measured: SendToRoom → its result (send), and → the Envelope at the last " +
              $"of {room.Devices.Count - 1} devices. Envelopes of {options.Bytes} B; {options.Warmup} warm-up sends, " +
              $"then {options.Runs} runs × {options.Repeats} sends.");

        for (var i = 0; i < options.Warmup; i++)
        {
            await fanout.SendOnceAsync();
        }
        var sendP50 = new List<double>();
        var sendP99 = new List<double>();
        var lastP50 = new List<double>();
        var lastP99 = new List<double>();
        for (var run = 1; run <= options.Runs; run++)
        {
            var send = new double[options.Repeats];
            var last = new double[options.Repeats];
            for (var i = 0; i < options.Repeats; i++)
            {
                (send[i], last[i]) = await fanout.SendOnceAsync();
            }
            sendP50.Add(Percentile(send, 50));
            sendP99.Add(Percentile(send, 99));
            lastP50.Add(Percentile(last, 50));
            lastP99.Add(Percentile(last, 99));
            Print($"run {run}: send p50 {sendP50[^1]:0.0} ms p99 {sendP99[^1]:0.0} ms | last device p50 {lastP50[^1]:0.0} ms p99 {lastP99[^1]:0.0} ms");
        }
        Print($"median of {options.Runs} runs: send p50 {Median(sendP50):0.0} ms p99 {Median(sendP99):0.0} ms | " +
              $"last device p50 {Median(lastP50):0.0} ms p99 {Median(lastP99):0.0} ms");
        return 0;
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(double[] values, int percent)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static double Median(List<double> values) => Percentile([.. values], 50);

    private static void Print(string line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));
}
