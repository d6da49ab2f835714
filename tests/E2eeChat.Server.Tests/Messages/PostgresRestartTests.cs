using System.Collections.Concurrent;
using System.Net;
using System.Text;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;
using Xunit;
using Xunit.Abstractions;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Messages;

/// <summary>
/// A server on a PostgreSQL of its own that answers a commit only once its WAL is written, which a test stops as a crash
/// does and starts again. Sends wait a few milliseconds for company, so batches hold several.
/// </summary>
public sealed class RestartablePostgresServerFactory : PostgresServerFactory
{
    public PostgresServer Postgres { get; private set; } = null!;

    protected override async Task ConfigureStorageAsync(Dictionary<string, string?> settings)
    {
        await base.ConfigureStorageAsync(settings);
        settings["Storage:GroupCommit:MaxDelay"] = "00:00:00.005";
    }

    protected override async Task<string> CreateDatabaseAsync()
    {
        Postgres = await PostgresServer.StartAsync(crashSafe: true);
        return await Postgres.CreateDatabaseAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }
}

/// <summary>
/// PostgreSQL stopped (immediate shutdown: in-flight transactions die) in the middle of a stream of batched sends and
/// started again: nothing is answered 200 unless it committed, the outage is a clear 503, and clients that retry with
/// the same messageId get every envelope to every device exactly once.
/// </summary>
public sealed class PostgresRestartTests(RestartablePostgresServerFactory factory, ITestOutputHelper output)
    : IClassFixture<RestartablePostgresServerFactory>
{
    private const int RestSenders = 3;
    private const int HubSenders = 3;
    private const int Senders = RestSenders + HubSenders;
    private const int SendsEach = 40;
    private const string StoreUnavailable = "store_unavailable";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    // How long a client waits before it retries a refused send or ack: a client's pace, not a wait for an outcome.
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(25);

    [Fact]
    public async Task A_PostgreSQL_restart_mid_stream_refuses_with_503_and_retries_with_the_same_messageId_deliver_every_envelope_exactly_once()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var api = factory.Api();
        var carol = await api.SignUpAsync();
        var dave = await api.SignUpAsync();
        TestDevice[] receivers = [carol, await api.LinkByPasswordAsync(carol), dave, await api.LinkByPasswordAsync(dave)];
        var receiverHubs = new List<HubDevice>();
        foreach (var device in receivers)
        {
            var hub = await HubDevice.ConnectAsync(factory.BaseAddress, device);
            receiverHubs.Add(hub);
            await hub.WaitForQueueEmptyAsync();
        }
        var destinations = new[] { carol, dave };
        var devicesOf = new Dictionary<Guid, (int DeviceId, int RegistrationId)[]>
        {
            [carol.UserId] = await api.DevicesAsync(carol),
            [dave.UserId] = await api.DevicesAsync(dave),
        };
        var senders = new TestDevice[Senders];
        var senderHubs = new HubDevice?[Senders];
        for (var s = 0; s < Senders; s++)
        {
            senders[s] = await api.SignUpAsync();
            if (s >= RestSenders)
            {
                senderHubs[s] = await HubDevice.ConnectAsync(factory.BaseAddress, senders[s]);
                // SignalR dispatches calls only after OnConnectedAsync (which touches the database) has finished.
                await senderHubs[s]!.Connection.InvokeAsync("MarkRead", new[] { Guid.NewGuid() });
            }
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: accounts and hub connections ready");
        var outage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new SendLog();
        using var stopAcking = new CancellationTokenSource();
        var ackLoops = receiverHubs.Select(hub => AckContinuallyAsync(hub, log, stopAcking.Token)).ToArray();

        // Each sender streams its sends one after another; half-way it waits for the outage, so none is over before it.
        var streams = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < SendsEach; i++)
            {
                if (i == SendsEach / 2)
                {
                    await outage.Task;
                }
                var to = destinations[i % destinations.Length];
                var text = $"s{s}-{i}";
                var request = Send(devicesOf[to.UserId].Select(d => Envelope(d.DeviceId, d.RegistrationId, text)),
                    messageId: Guid.NewGuid().ToString());
                log.Answered[text] = await SendUntilAnsweredAsync(api, senders[s], senderHubs[s], to, request, log);
            }
        })).ToArray();

        await Wait.UntilAsync(() => log.Answered.Count >= Senders * SendsEach / 4, Patience, "a quarter of the sends answered");
        await factory.Postgres.StopAsync();
        outage.SetResult();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: PostgreSQL stopped after {log.Answered.Count} answered sends");
        await Wait.UntilAsync(() => log.RestRefusals > 0 && log.HubRefusals > 0, Patience, "REST and hub sends refused during the outage");
        var down = await api.GetAsync("/health/ready");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: refusals seen, readiness {(int)down.Status}");
        await factory.Postgres.StartAgainAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: PostgreSQL accepts connections again");
        await Wait.UntilAsync(async () => (await api.GetAsync("/health/ready")).Status == HttpStatusCode.OK, Patience,
            "readiness to recover once PostgreSQL is back");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: PostgreSQL back, readiness 200");
        await Task.WhenAll(streams).WaitAsync(Patience);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: every send answered 200");

        // A barrier per receiving account, sent last: whatever the pumps would push before it has been pushed when it arrives.
        foreach (var to in destinations)
        {
            var barrier = Send(devicesOf[to.UserId].Select(d => Envelope(d.DeviceId, d.RegistrationId, "barrier")));
            Assert.Equal(HttpStatusCode.OK, (await api.PutAsync($"/api/v1/messages/{to.UserId}", barrier, senders[0].AccessToken)).Status);
        }
        foreach (var hub in receiverHubs)
        {
            await Wait.UntilAsync(() => hub.Texts().Contains("barrier"), Patience, "the barrier at every receiving device");
        }
        await stopAcking.CancelAsync();
        await Task.WhenAll(ackLoops);
        foreach (var hub in receiverHubs)
        {
            await AckAllAsync(hub, log);
        }

        output.WriteLine($"refused during the outage: {log.RestRefusals} REST sends, {log.HubRefusals} hub sends, {log.AckRefusals} acks; "
            + $"{log.TransportErrors} transport errors");
        Assert.Empty(log.Unexpected);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
        Assert.Equal("unhealthy", down.Body!["checks"]!["storage"]!["status"]!.GetValue<string>());
        Assert.Equal(Senders * SendsEach, log.Answered.Count);
        for (var r = 0; r < receivers.Length; r++)
        {
            var hub = receiverHubs[r];
            // Raw arrivals on a connection that never dropped, acked or not: anything pushed twice would show twice.
            Assert.Equal(HubConnectionState.Connected, hub.Connection.State);
            Assert.Single(hub.Texts(), text => text == "barrier");
            var arrived = hub.Envelopes.Where(e => Encoding.UTF8.GetString(e.Content) != "barrier").ToList();
            var account = receivers[r].UserId == carol.UserId ? 0 : 1;
            var expected = log.Answered.Keys.Where(text => Index(text) % destinations.Length == account).Order().ToList();
            Assert.Equal(expected, HubDevice.Texts(arrived).Order());
            foreach (var envelope in arrived)
            {
                // The one envelope of each send is the one its 200 named: no retry stored a second message.
                Assert.Equal(log.Answered[Encoding.UTF8.GetString(envelope.Content)], envelope.MessageId);
            }
            for (var s = 0; s < Senders; s++)
            {
                var order = HubDevice.Texts(arrived).Where(text => text.StartsWith($"s{s}-", StringComparison.Ordinal)).Select(Index).ToList();
                Assert.Equal(order.Order(), order);
            }
            Assert.Empty(await api.MailboxAsync(receivers[r]));
        }
        // Each answered send is in the database, delivered to both devices of its account: its 200 followed its commit.
        var statuses = await Task.WhenAll(Enumerable.Range(0, Senders).SelectMany(s => Enumerable.Range(0, SendsEach).Select(i =>
            api.GetAsync($"/api/v1/messages/{log.Answered[$"s{s}-{i}"]}/status", senders[s].AccessToken))));
        Assert.All(statuses, status => Assert.Equal(["delivered", "delivered"],
            status.Body!["recipients"]!.AsArray().Select(x => x!["status"]!.GetValue<string>())));
        // Rows written by one transaction share its xmin: some transactions held several sends.
        var (batches, largest) = await SharedTransactionsAsync(factory.Settings["Storage:ConnectionString"]!);
        output.WriteLine($"{batches} transactions held more than one send; the largest held {largest}");
        Assert.True(largest > 1, "no transaction held more than one send");

        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: checked");
        foreach (var hub in receiverHubs.Concat(senderHubs.OfType<HubDevice>()))
        {
            await hub.DisposeAsync();
        }
    }

    /// <summary>How many transactions stored more than one send, and the most one stored.</summary>
    private static async Task<(long Batches, long Largest)> SharedTransactionsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE sends > 1), coalesce(max(sends), 0)
            FROM (SELECT count(*) AS sends FROM messages GROUP BY xmin::text) AS transactions
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static int Index(string text) => int.Parse(text[(text.IndexOf('-', StringComparison.Ordinal) + 1)..],
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sends until a 200 comes back, with the same request (and messageId) each time; returns the answer's messageId.</summary>
    private static async Task<Guid> SendUntilAnsweredAsync(ApiClient api, TestDevice sender, HubDevice? hub, TestDevice to, object request,
        SendLog log)
    {
        while (true)
        {
            if (hub is null)
            {
                try
                {
                    var response = await api.PutAsync($"/api/v1/messages/{to.UserId}", request, sender.AccessToken);
                    if (response.Status == HttpStatusCode.OK)
                    {
                        return Guid.Parse(response.Text("messageId"));
                    }
                    if (response.Status == HttpStatusCode.ServiceUnavailable && response.Code == StoreUnavailable)
                    {
                        Interlocked.Increment(ref log.RestRefusals);
                    }
                    else
                    {
                        log.Unexpected.Add($"REST send: {response}");
                    }
                }
                catch (HttpRequestException)
                {
                    // A transport error leaves the outcome unknown, as a 503 does: retry.
                    Interlocked.Increment(ref log.TransportErrors);
                }
            }
            else
            {
                try
                {
                    return (await hub.Connection.InvokeAsync<HubSendResult>("Send", to.UserId, request)).MessageId;
                }
                catch (HubException exception) when (HubDevice.ServerMessage(exception).StartsWith($"{StoreUnavailable}:", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref log.HubRefusals);
                }
                catch (HubException exception)
                {
                    log.Unexpected.Add($"hub send: {exception.Message}");
                }
            }
            await Task.Delay(RetryPause);
        }
    }

    /// <summary>Acknowledges what arrived, as a client does, retrying acks the store refused.</summary>
    private static async Task AckContinuallyAsync(HubDevice hub, SendLog log, CancellationToken stop)
    {
        var acked = 0;
        while (!stop.IsCancellationRequested)
        {
            acked = await TryAckAsync(hub, acked, log);
            try
            {
                await Task.Delay(RetryPause, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static Task AckAllAsync(HubDevice hub, SendLog log) =>
        Wait.UntilAsync(async () => await TryAckAsync(hub, 0, log) == hub.Envelopes.Count, Patience, "every arrival acked");

    /// <summary>Acks the arrivals after the first <paramref name="acked"/>; returns how many are acked now.</summary>
    private static async Task<int> TryAckAsync(HubDevice hub, int acked, SendLog log)
    {
        var arrived = hub.Envelopes;
        if (arrived.Count == acked)
        {
            return acked;
        }
        try
        {
            await hub.AckAsync(arrived.Skip(acked));
            return arrived.Count;
        }
        catch (HubException exception) when (HubDevice.ServerMessage(exception).StartsWith($"{StoreUnavailable}:", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref log.AckRefusals);
            return acked;
        }
        catch (HubException exception)
        {
            log.Unexpected.Add($"ack: {exception.Message}");
            return acked;
        }
    }

    private sealed class SendLog
    {
        public readonly ConcurrentDictionary<string, Guid> Answered = new();
        public readonly ConcurrentBag<string> Unexpected = [];
        public int RestRefusals;
        public int HubRefusals;
        public int AckRefusals;
        public int TransportErrors;
    }
}
