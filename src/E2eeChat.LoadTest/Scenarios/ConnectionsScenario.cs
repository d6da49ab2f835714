using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Reporting;

namespace E2eeChat.LoadTest.Scenarios;

/// <summary>
/// N idle connections (accounts of D devices each), opened over the ramp-up and held for the
/// duration: the connect rate, failures and drops, and what each connection costs the server in
/// resident memory when it runs here.
/// </summary>
internal static class ConnectionsScenario
{
    public static async Task<ScenarioOutcome> RunAsync(LoadRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = run.Options;
        run.Counters.Phase = "creating accounts";
        var users = await run.Accounts.CreateAsync("c", DevicesPerUser(options.Connections, options.Devices), cancellationToken)
            .ConfigureAwait(false);
        var clients = new List<DeviceClient>(options.Connections);
        foreach (var user in users)
        {
            foreach (var device in user.Devices)
            {
                clients.Add(run.AddClient(device));
            }
        }

        var probe = run.Server;
        var serverBefore = probe?.ReadRssKiB();
        var clientBefore = ClientRssKiB();
        var started = RunClock.Now;
        var connected = await run.ConnectAsync(clients, options.RampUp, cancellationToken).ConfigureAwait(false);
        var connectSeconds = RunClock.ToSeconds(RunClock.Now - started);
        await run.WaitForBacklogsAsync(connected, cancellationToken).ConfigureAwait(false);

        run.Counters.Phase = "holding";
        var dropsBefore = Volatile.Read(ref run.Counters.UnexpectedDisconnects);
        var holdStarted = RunClock.Now;
        var cpuAtStart = run.SnapshotCpu();
        try
        {
            await Task.Delay(options.Duration, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        run.Cpu = CpuUsage.Between(cpuAtStart, run.SnapshotCpu());
        var heldSeconds = RunClock.ToSeconds(RunClock.Now - holdStarted);
        var serverAfter = probe?.ReadRssKiB();
        var clientAfter = ClientRssKiB();
        var openAtEnd = Volatile.Read(ref run.Counters.ConnectionsOpen);

        var stats = new ConnectionStats(options.Connections, connected.Count, clients.Count - connected.Count,
            Math.Round(connectSeconds, 3), connectSeconds > 0 ? Math.Round(connected.Count / connectSeconds, 1) : 0,
            LatencySummary.Of(run.ConnectLatency), Math.Round(heldSeconds, 3),
            Volatile.Read(ref run.Counters.UnexpectedDisconnects) - dropsBefore, openAtEnd,
            clientBefore, clientAfter, PerConnection(clientBefore, clientAfter, connected.Count));
        var server = probe is null ? null : new ServerMemory(probe.ProcessId, probe.Command, serverBefore, serverAfter,
            PerConnection(serverBefore, serverAfter, connected.Count));
        return new ScenarioOutcome { Connections = stats, Server = server };
    }

    /// <summary>Accounts of <paramref name="devices"/> devices, the last one smaller, to make <paramref name="connections"/> in all.</summary>
    public static List<int> DevicesPerUser(int connections, int devices)
    {
        var perUser = new List<int>(connections / devices + 1);
        for (var remaining = connections; remaining > 0; remaining -= devices)
        {
            perUser.Add(Math.Min(devices, remaining));
        }
        return perUser;
    }

    /// <summary>This process's resident memory after a full collection, so that garbage does not count.</summary>
    private static long ClientRssKiB()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Environment.WorkingSet / 1024;
    }

    private static double? PerConnection(long? before, long? after, int connections) =>
        before is { } b && after is { } a && connections > 0 ? Math.Round((a - b) / (double)connections, 2) : null;
}
