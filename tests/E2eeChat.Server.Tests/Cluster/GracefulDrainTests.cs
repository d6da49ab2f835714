using System.Collections.Concurrent;
using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Cluster;

/// <summary>
/// Three instances behind the repository's nginx, one sender sending without pause while one instance gets SIGTERM:
/// every send is answered 200 (nginx retries the draining instance's 503 elsewhere), every 200 is in the mailbox
/// exactly once, and a device connected to the draining instance is closed and finds every message after reconnecting.
/// </summary>
public sealed class GracefulDrainTests
{
    [Fact]
    public async Task Instance_drained_by_SIGTERM_during_continuous_sends_loses_nothing_and_answers_no_error()
    {
        await using var cluster = await LocalCluster.StartAsync(3, nginx: true, settings: new Dictionary<string, string>
        {
            ["Shutdown__ReadinessDelay"] = "00:00:01",
            ["Shutdown__DrainTimeout"] = "00:00:10",
        });
        using var api = cluster.NginxApi();
        var alice = await api.SignUpAsync();
        var bob = await api.SignUpAsync();
        await using var bobOnDrained = await HubDevice.ConnectAsync(cluster.Instance(0).BaseAddress, bob);
        await bobOnDrained.WaitForQueueEmptyAsync();

        var answered = new ConcurrentBag<string>();
        var refusals = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var sender = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var text = $"m{i}";
                var response = await api.SendTextAsync(alice, bob, text, messageId: $"send-{i}");
                if (response.Status == HttpStatusCode.OK)
                {
                    answered.Add(text);
                }
                else
                {
                    refusals.Add($"{text}: {response}");
                }
            }
        });
        // The instance to drain has stored some of the sends (its own counter says so) before it gets SIGTERM.
        using var drained = cluster.Api(0);
        await Wait.UntilAsync(async () => PrometheusText.Parse(await drained.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)))
            .Value("e2eechat_envelopes_stored_total") >= 5, TimeSpan.FromSeconds(30), "the instance to drain to store sends");

        var stopping = cluster.Instance(0).StopAsync();
        await Wait.UntilAsync(async () => stopping.IsCompleted || (await ReadinessAsync(drained)) == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(10), "readiness 503 on the draining instance");
        Assert.False(stopping.IsCompleted, "The instance exited before its readiness said 503.");
        // The connection is closed by the drain (Revoked "draining" is sent first, but is not always read before the
        // close: see the README); the device reconnects through nginx below and finds everything.
        await bobOnDrained.WaitForCloseAsync();
        await stopping;
        var sentDuringDrain = answered.Count;
        await Wait.UntilAsync(() => answered.Count >= sentDuringDrain + 20, TimeSpan.FromSeconds(30), "sends after the drain");
        await stop.CancelAsync();
        await sender;

        Assert.Empty(refusals);
        Assert.Contains("Drained: device connections told to reconnect elsewhere", cluster.Instance(0).Output, StringComparison.Ordinal);
        await using var bobAgain = await HubDevice.ConnectAsync(cluster.NginxAddress!, bob);
        await bobAgain.WaitForQueueEmptyAsync();
        var stored = bobOnDrained.Texts().Concat(bobAgain.Texts()).ToList();
        Assert.Equal(answered.OrderBy(t => t, StringComparer.Ordinal), stored.Distinct().OrderBy(t => t, StringComparer.Ordinal));
        Assert.Equal(bobAgain.Texts().Count(), bobAgain.Texts().Distinct().Count());
    }

    private static async Task<HttpStatusCode> ReadinessAsync(ApiClient api)
    {
        try
        {
            return (await api.GetAsync("/health/ready")).Status;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}
