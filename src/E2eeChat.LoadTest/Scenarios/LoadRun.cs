using E2eeChat.LoadTest.Accounts;
using E2eeChat.LoadTest.Api;
using E2eeChat.LoadTest.Cli;
using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Probes;
using E2eeChat.LoadTest.Reporting;

namespace E2eeChat.LoadTest.Scenarios;

/// <summary>
/// What every scenario works with: the options, the REST and hub endpoints, the accounts, the device
/// connections it opened (closed when the run is disposed) and the measurements.
/// </summary>
internal sealed class LoadRun : IAsyncDisposable
{
    /// <summary>At least an hour: a drain's fill time is not known in advance, and an unused second costs a few bytes.</summary>
    private static readonly TimeSpan MinimumTimeline = TimeSpan.FromHours(1);
    private readonly List<DeviceClient> _clients = [];
    private readonly SocketsHttpHandler _restHandler = new() { ConnectTimeout = TimeSpan.FromSeconds(15) };
    private readonly SocketsHttpHandler _hubHandler = new() { ConnectTimeout = TimeSpan.FromSeconds(15) };
    private readonly HttpClient _http;

    public LoadRun(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _http = new HttpClient(_restHandler, disposeHandler: false) { BaseAddress = options.Url, Timeout = TimeSpan.FromMinutes(1) };
        Api = new LoadApiClient(_http);
        Hub = new HubEndpoint(options.Url, options.Protocol, _hubHandler);
        Recorder = new DeliveryRecorder(Clock, Counters, Timeline);
        Accounts = new AccountProvisioner(Api, Counters, options.Parallelism);
        Server = LocalServerProbe.Find(options.ServerPid, options.Url);
    }

    public LoadOptions Options { get; }

    /// <summary>When the run was created, on the <see cref="RunClock"/>.</summary>
    public long StartedAt { get; } = RunClock.Now;

    public LoadApiClient Api { get; }

    public HubEndpoint Hub { get; }

    public AccountProvisioner Accounts { get; }

    public RunCounters Counters { get; } = new();

    public RunClock Clock { get; } = new();

    public Timeline Timeline { get; } = new();

    public DeliveryRecorder Recorder { get; }

    /// <summary>The server process when it runs on this machine (or <c>--server-pid</c> names it); else null.</summary>
    public LocalServerProbe? Server { get; }

    /// <summary>Where the CPU went while the figures were measured; set by the scenario that measured them.</summary>
    public CpuUsage? Cpu { get; set; }

    /// <summary>How long each successful connect (WebSocket and handshake) took, in microseconds.</summary>
    public LatencyHistogram ConnectLatency { get; } = LatencyHistogram.ForLatency();

    /// <summary>Seconds the timeline can hold: the whole timed phase, and an hour at least.</summary>
    public int TimelineCapacity
    {
        get
        {
            var timed = Options.Warmup + Options.Duration + Options.RampUp + Options.Settle;
            return (int)(timed > MinimumTimeline ? timed : MinimumTimeline).TotalSeconds + 60;
        }
    }

    public DeviceClient AddClient(LoadDevice device)
    {
        var client = new DeviceClient(device, Hub, Recorder, Counters);
        _clients.Add(client);
        return client;
    }

    /// <summary>
    /// Connects <paramref name="clients"/>, at most <see cref="LoadOptions.Parallelism"/> handshakes at a
    /// time and the starts spread evenly over <paramref name="rampUp"/>; returns those that connected.
    /// </summary>
    public async Task<List<DeviceClient>> ConnectAsync(IReadOnlyList<DeviceClient> clients, TimeSpan rampUp,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clients);
        Counters.Phase = "connecting";
        var origin = RunClock.Now;
        var connected = new bool[clients.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Options.Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForAsync(0, clients.Count, options, async (i, token) =>
        {
            await RunClock.DelayUntilAsync(RunClock.After(origin, rampUp * i / clients.Count), token).ConfigureAwait(false);
            var started = RunClock.Now;
            connected[i] = await clients[i].ConnectAsync(token).ConfigureAwait(false);
            if (connected[i])
            {
                ConnectLatency.Record(RunClock.ToMicroseconds(RunClock.Now - started));
            }
        }).ConfigureAwait(false);

        var result = new List<DeviceClient>(clients.Count);
        for (var i = 0; i < clients.Count; i++)
        {
            if (connected[i])
            {
                result.Add(clients[i]);
            }
        }
        return result;
    }

    /// <summary>Connects every client added so far and waits until each connected one has its backlog (QueueEmpty).</summary>
    public async Task ConnectAllAsync(CancellationToken cancellationToken)
    {
        var connected = await ConnectAsync(_clients, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        await WaitForBacklogsAsync(connected, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits (at most the settle time) for QueueEmpty on each client; one that does not get it counts as a failed connect.</summary>
    public async Task WaitForBacklogsAsync(IReadOnlyList<DeviceClient> clients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clients);
        var all = new Task[clients.Count];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = clients[i].QueueEmpty;
        }
        try
        {
            await Task.WhenAll(all).WaitAsync(Options.Settle, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            foreach (var task in all)
            {
                if (!task.IsCompleted)
                {
                    Interlocked.Increment(ref Counters.ConnectFailures);
                    Counters.ErrorLog.Record("connect", new TimeoutException("No QueueEmpty within the settle time.", exception));
                }
            }
        }
    }

    /// <summary>After sending stopped: waits until everything accepted was delivered, or the settle time is up.</summary>
    public async Task SettleAsync(CancellationToken cancellationToken)
    {
        Counters.Phase = "settling";
        var everything = Recorder.WhenDelivered(Volatile.Read(ref Counters.EnvelopesSent));
        try
        {
            await everything.WaitAsync(Options.Settle, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // What did not arrive is counted as lost.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public CpuSnapshot SnapshotCpu() => MachineCpu.Take(Server, Options.CpuOf);

    /// <summary>Measures <see cref="Cpu"/> from <paramref name="from"/> to <paramref name="to"/>, on the <see cref="RunClock"/>.</summary>
    public async Task MeasureCpuAsync(long from, long to, CancellationToken cancellationToken)
    {
        try
        {
            await RunClock.DelayUntilAsync(from, cancellationToken).ConfigureAwait(false);
            var start = SnapshotCpu();
            await RunClock.DelayUntilAsync(to, cancellationToken).ConfigureAwait(false);
            Cpu = CpuUsage.Between(start, SnapshotCpu());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped early: no full window to speak of.
        }
    }

    /// <summary>Closes every connection, so that the inboxes are final.</summary>
    public async Task DisconnectAllAsync()
    {
        Counters.Phase = "disconnecting";
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(Options.Parallelism, 64) };
        await Parallel.ForEachAsync(_clients, options, async (client, _) => await client.DisconnectAsync().ConfigureAwait(false))
            .ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
        _http.Dispose();
        _restHandler.Dispose();
        _hubHandler.Dispose();
    }
}
