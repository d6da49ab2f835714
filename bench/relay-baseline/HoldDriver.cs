using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace E2eeChat.Bench.Relay;

/// <summary>
/// N idle connections to the bare relay, held for the duration: what one costs the framework alone in the server's
/// resident memory (VmRSS after minus before, per connection), the floor under the figure the load tool's
/// <c>connections</c> scenario gives for E2eeChat (bench/connection-memory.sh). One connection opens and closes
/// first, so that the hub's first-use costs (JIT, pools) are in the "before".
/// </summary>
internal static class HoldDriver
{
    private const int Parallelism = 32;

    public static async Task<int> RunAsync(DriverOptions options)
    {
        var pid = options.ServerPid ?? throw new ArgumentException("--server-pid is required.");
        await (await RelayDriver.ConnectAsync(options, "warm-up").ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        var before = RssKiB(pid);

        var connections = new HubConnection[options.Connections];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Parallelism).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < connections.Length; i = Interlocked.Increment(ref next))
            {
                connections[i] = await RelayDriver.ConnectAsync(options, $"u{i}").ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);
        await Task.Delay(options.Duration).ConfigureAwait(false);
        var open = connections.Count(connection => connection.State == HubConnectionState.Connected);
        var after = RssKiB(pid);

        foreach (var connection in connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            connections = options.Connections,
            open,
            protocol = options.Protocol,
            rssKiBBefore = before,
            rssKiBAfter = after,
            kiBPerConnection = Math.Round((after - before) / (double)options.Connections, 2),
        }));
        return open == options.Connections ? 0 : 1;
    }

    private static long RssKiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
