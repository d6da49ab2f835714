using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace E2eeChat.Server.Tests.Metrics;

/// <summary>
/// The server as its own process (meters are process-wide), scraped at /metrics around a scripted session: the
/// product counters move by exactly what the session did, and the text is valid Prometheus exposition.
/// </summary>
public sealed class MetricsEndpointTests
{
    private const string Stored = "e2eechat_envelopes_stored_total";
    private const string Delivered = "e2eechat_envelopes_delivered_total";
    private const string Acked = "e2eechat_envelopes_acked_total";
    private const string Refused = "e2eechat_requests_refused_total";
    private const string RateLimited = "e2eechat_rate_limit_refused_total";
    private const string Live = "e2eechat_connections_live";

    [Fact]
    public async Task Counters_move_by_exactly_the_sends_deliveries_acks_and_refusals_of_a_session()
    {
        using var directory = new TempDirectory("e2eechat-metrics");
        using var server = ServerProcessHost.Start(directory.Path, new Dictionary<string, string>
        {
            ["RateLimits__LinkPerAccount__PermitLimit"] = "1",
        });
        await server.WaitUntilReadyAsync();
        using var api = server.Api();
        var alice = await api.SignUpAsync();
        var bob = await api.SignUpAsync();
        await using var bobHub = await HubDevice.ConnectAsync(server.BaseAddress, bob);
        await bobHub.WaitForQueueEmptyAsync();
        var before = await ScrapeAsync(api.Http);

        // Three sends, one retried with its messageId: three envelopes stored, not four.
        var messageId = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.OK, (await api.SendTextAsync(alice, bob, "one", messageId)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.SendTextAsync(alice, bob, "one", messageId)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.SendTextAsync(alice, bob, "two")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.SendTextAsync(alice, bob, "three")).Status);
        await bobHub.WaitForEnvelopesAsync(3);
        await bobHub.AckAsync(bobHub.Envelopes);
        // Refusals: a missing device (REST and hub), a stale registration id, and the second link code of a minute.
        var wrongDevice = await api.PutAsync($"/api/v1/messages/{bob.UserId}",
            Messaging.Send([Messaging.Envelope(2, 1234, "x")]), alice.AccessToken);
        Assert.Equal(HttpStatusCode.Conflict, wrongDevice.Status);
        var stale = await api.PutAsync($"/api/v1/messages/{bob.UserId}",
            Messaging.Send([Messaging.Envelope(1, 999, "x")]), alice.AccessToken);
        Assert.Equal(HttpStatusCode.Gone, stale.Status);
        var hubRefusal = await Assert.ThrowsAsync<HubException>(() => bobHub.Connection.InvokeAsync<object>("Send", alice.UserId,
            Messaging.Send([Messaging.Envelope(2, 1234, "x")])));
        Assert.StartsWith("mismatched_devices", HubDevice.ServerMessage(hubRefusal), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/devices/link-codes", token: alice.AccessToken)).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await api.PostAsync("/api/v1/devices/link-codes", token: alice.AccessToken)).Status);

        // Delivery is counted just after the envelope is written to the socket: wait for the third, then read once.
        PrometheusText after = before;
        await Wait.UntilAsync(async () => (after = await ScrapeAsync(api.Http)).Value(Delivered) - before.Value(Delivered) >= 3,
            TimeSpan.FromSeconds(10), "three deliveries counted");
        Assert.Equal(3, after.Value(Stored) - before.Value(Stored));
        Assert.Equal(3, after.Value(Delivered) - before.Value(Delivered));
        Assert.Equal(3, after.Value(Acked) - before.Value(Acked));
        Assert.Equal(2, after.Value(Refused, ("code", "mismatched_devices")) - before.Value(Refused, ("code", "mismatched_devices")));
        Assert.Equal(1, after.Value(Refused, ("code", "stale_devices")) - before.Value(Refused, ("code", "stale_devices")));
        Assert.Equal(1, after.Value(Refused, ("code", "rate_limited")) - before.Value(Refused, ("code", "rate_limited")));
        Assert.Equal(1, after.Value(RateLimited, ("bucket", "LinkPerAccount")));
        Assert.Equal(1, after.Value(Live));
        // Every send and ack went through group commit: the three stored sends, the retry and the three refused sends
        // each in some batch (sequential calls: batches of one), the ack in one.
        Assert.Equal(7, after.Value("e2eechat_store_batch_size_sum", ("kind", "send")) - before.Value("e2eechat_store_batch_size_sum", ("kind", "send")));
        Assert.Equal(1, after.Value("e2eechat_store_batch_size_sum", ("kind", "ack")) - before.Value("e2eechat_store_batch_size_sum", ("kind", "ack")));
        Assert.Equal(after.Value("e2eechat_store_batch_size_count", ("kind", "send")),
            after.Value("e2eechat_store_batch_duration_seconds_count", ("kind", "send")));
        // The framework's meters are there too: Kestrel, SignalR, the runtime.
        Assert.Contains("kestrel_active_connections", after.FamilyTypes.Keys);
        Assert.Contains("signalr_server_active_connections", after.FamilyTypes.Keys);
        Assert.Contains("dotnet_gc_collections_total", after.FamilyTypes.Keys);
    }

    [Fact]
    public async Task Scrape_holds_no_user_id_token_or_content_and_passes_promtool()
    {
        using var directory = new TempDirectory("e2eechat-metrics");
        using var server = ServerProcessHost.Start(directory.Path);
        await server.WaitUntilReadyAsync();
        using var api = server.Api();
        var alice = await api.SignUpAsync();
        var bob = await api.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await api.SendTextAsync(alice, bob, "private words")).Status);

        var text = await api.Http.GetStringAsync("/metrics");

        PrometheusText.Parse(text);
        foreach (var secret in new[] { alice.UserId.ToString(), bob.UserId.ToString(), alice.AccessToken, alice.Username, "private words" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }
        // promtool exits 1 on a parse error and 3 on lint findings; the runtime's own *_count gauges draw lint findings.
        var promtool = await Promtool.CheckAsync(text);
        Assert.True(promtool.ExitCode is 0 or 3, promtool.Output);
        Assert.DoesNotContain("e2eechat_", promtool.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_port_of_its_own_serves_the_scrape_and_the_public_listener_does_not()
    {
        using var directory = new TempDirectory("e2eechat-metrics");
        var metricsPort = FreePort.Next();
        using var server = ServerProcessHost.Start(directory.Path, new Dictionary<string, string>
        {
            ["Metrics__Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Metrics__Host"] = "127.0.0.1",
            ["Metrics__Path"] = "/internal/metrics",
        });
        await server.WaitUntilReadyAsync();
        using var api = server.Api();
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };

        var onPublic = await api.GetAsync("/internal/metrics");
        var onMetricsPort = await scraper.GetAsync(new Uri("/internal/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, onPublic.Status);
        Assert.Equal(HttpStatusCode.OK, onMetricsPort.StatusCode);
        Assert.Equal(0, PrometheusText.Parse(await onMetricsPort.Content.ReadAsStringAsync()).Value(Live));
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient http) =>
        PrometheusText.Parse(await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
}
