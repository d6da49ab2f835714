using E2eeChat.LoadTest.Accounts;
using E2eeChat.LoadTest.Api;
using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Reporting;

namespace E2eeChat.LoadTest.Scenarios;

/// <summary>
/// N connections that complete the handshake and then never read (<see cref="NonReadingSocket"/>); E envelopes of S
/// bytes are sent to each (REST), then the run waits (at most the settle time) until the server has closed every one
/// of them. Reports the server's VmRSS before the connections, at its peak, and once all were closed, and the peak's
/// rise per non-reading connection: what one costs the server.
/// </summary>
internal static class NonReadersScenario
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(1);

    public static async Task<ScenarioOutcome> RunAsync(LoadRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = run.Options;
        run.Counters.Phase = "creating accounts";
        var sender = (await run.Accounts.CreateAsync("ns", 1, 1, cancellationToken).ConfigureAwait(false))[0];
        var receivers = await run.Accounts.CreateAsync("nr", options.Connections, 1, cancellationToken).ConfigureAwait(false);

        var probe = run.Server;
        var before = probe?.ReadRssKiB();
        using var peak = new PeakRss(probe);
        using var handler = NonReadingSocket.CreateHandler();
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        run.Counters.Phase = "connecting";
        var started = RunClock.Now;
        var sockets = new NonReadingSocket?[receivers.Length];
        await Parallel.ForAsync(0, receivers.Length, Limited(options.Parallelism, cancellationToken), async (i, token) =>
        {
            var connectStarted = RunClock.Now;
            try
            {
                sockets[i] = await NonReadingSocket.OpenAsync(options.Url, receivers[i].Primary.AccessToken, invoker, token)
                    .ConfigureAwait(false);
                run.ConnectLatency.Record(RunClock.ToMicroseconds(RunClock.Now - connectStarted));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Interlocked.Increment(ref run.Counters.ConnectFailures);
                run.Counters.ErrorLog.Record("connect", exception);
            }
        }).ConfigureAwait(false);
        var connectSeconds = RunClock.ToSeconds(RunClock.Now - started);
        var open = Array.FindAll(sockets, s => s is not null)!;
        using var pings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pinging = PingAllAsync(open!, pings.Token);

        run.Counters.Phase = "sending to non-readers";
        var content = new byte[options.MessageSize];
        Random.Shared.NextBytes(content);
        await Parallel.ForAsync(0, receivers.Length * options.Envelopes, Limited(options.Parallelism, cancellationToken),
            async (n, token) =>
            {
                var device = receivers[n % receivers.Length].Primary;
                var request = new SendRequest([new OutgoingEnvelope(null, device.DeviceId, device.RegistrationId, 2, content)],
                    DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                try
                {
                    await run.Api.SendMessageAsync(sender.Primary.AccessToken, device.UserId, request, token).ConfigureAwait(false);
                    Interlocked.Increment(ref run.Counters.SendsAccepted);
                    Interlocked.Increment(ref run.Counters.EnvelopesSent);
                }
                catch (Exception exception) when (exception is ApiException or HttpRequestException)
                {
                    Interlocked.Increment(ref run.Counters.SendErrors);
                    run.Counters.ErrorLog.Record("send", exception);
                }
            }).ConfigureAwait(false);

        run.Counters.Phase = "waiting for the server to close them";
        var waitStarted = RunClock.Now;
        var deadline = RunClock.After(waitStarted, options.Settle);
        while (RunClock.Now < deadline && Array.Exists(open, s => !s!.Closed))
        {
            await Task.Delay(PingInterval, cancellationToken).ConfigureAwait(false);
        }
        var waitSeconds = RunClock.ToSeconds(RunClock.Now - waitStarted);
        await pings.CancelAsync().ConfigureAwait(false);
        await pinging.ConfigureAwait(false);
        var closed = Array.FindAll(open, s => s!.Closed).Length;
        var atEnd = probe?.ReadRssKiB();
        var peakKiB = peak.Stop();
        foreach (var socket in open)
        {
            socket!.Dispose();
        }

        var stats = new ConnectionStats(options.Connections, open.Length, receivers.Length - open.Length,
            Math.Round(connectSeconds, 3), connectSeconds > 0 ? Math.Round(open.Length / connectSeconds, 1) : 0,
            LatencySummary.Of(run.ConnectLatency), Math.Round(waitSeconds, 3), closed, open.Length - closed, null, null, null);
        var server = probe is null ? null : new ServerMemory(probe.ProcessId, probe.Command, before, peakKiB,
            before is { } b && peakKiB is { } p && open.Length > 0 ? Math.Round((p - b) / (double)open.Length, 2) : null, atEnd);
        return new ScenarioOutcome { Connections = stats, Server = server };
    }

    private static ParallelOptions Limited(int parallelism, CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };

    private static async Task PingAllAsync(IReadOnlyList<NonReadingSocket> sockets, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.WhenAll(sockets.Select(s => s.PingAsync(cancellationToken))).ConfigureAwait(false);
                await Task.Delay(PingInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Samples the server's VmRSS every 100 ms until stopped; the highest it saw.</summary>
    private sealed class PeakRss : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<long?> _sampling;

        public PeakRss(Probes.LocalServerProbe? probe)
        {
            _sampling = probe is null ? Task.FromResult<long?>(null) : SampleAsync(probe);
        }

        public long? Stop()
        {
            _stop.Cancel();
            return _sampling.GetAwaiter().GetResult();
        }

        public void Dispose() => _stop.Dispose();

        private async Task<long?> SampleAsync(Probes.LocalServerProbe probe)
        {
            long? highest = null;
            while (!_stop.IsCancellationRequested)
            {
                if (probe.ReadRssKiB() is { } rss && (highest is null || rss > highest))
                {
                    highest = rss;
                }
                try
                {
                    await Task.Delay(100, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
            return highest;
        }
    }
}
