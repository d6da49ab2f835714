using E2eeChat.LoadTest.Reporting;
using E2eeChat.LoadTest.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Scenarios;

/// <summary>Each scenario, briefly, against the real server: the counts of a clean run add up.</summary>
public sealed class ScenarioTests(LoadTestServer server) : IClassFixture<LoadTestServer>
{
    [Fact]
    public async Task Pairs_at_a_rate_deliver_every_envelope_once_and_in_order_to_every_partner_device()
    {
        var run = await LoadTool.RunAsync(server, "pairs", "--pairs", "3", "--devices", "2", "--rate", "20",
            "--duration", "2s", "--warmup", "500ms", "--progress", "plain", "--progress-interval", "200ms");

        ScenarioAssertions.Clean(run);
        var parameters = run.Section("parameters");
        Assert.Equal(3, parameters["streams"]!.GetValue<int>());
        Assert.Equal(2, parameters["fanOut"]!.GetValue<int>());
        Assert.Equal(2 * run.Total("sends"), run.Total("sent"));
        Assert.Equal(9, run.Total("devicesCreated"));
        Assert.True(run.Total("ackCalls") > 0);
        // Each sender has one device, which hears at most one receipt per envelope delivered.
        Assert.InRange(run.Total("receipts"), 1, run.Total("delivered"));
        var latency = run.Section("latency");
        Assert.True(latency["count"]!.GetValue<long>() > 0, run.ToString());
        Assert.True(latency["p50Ms"]!.GetValue<double>() > 0);
        Assert.True(latency["p99Ms"]!.GetValue<double>() >= latency["p50Ms"]!.GetValue<double>());
        Assert.True(run.Section("measured")["deliveredPerSecond"]!.GetValue<double>() > 0);
        Assert.Contains("delivered/s", run.Output, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(Path.Combine(run.OutputDirectory, ResultFiles.HtmlName));
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("Passed", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pairs_in_a_closed_loop_on_delivery_wait_for_every_device_before_the_next_send()
    {
        var run = await LoadTool.RunAsync(server, "pairs", "--pairs", "2", "--devices", "3", "--closed-loop", "delivery",
            "--duration", "1500ms", "--warmup", "0", "--progress", "none");

        ScenarioAssertions.Clean(run);
        Assert.Equal(0, run.Total("deliveryTimeouts"));
        Assert.Equal(3 * run.Total("sends"), run.Total("sent"));
    }

    [Fact]
    public async Task Pairs_over_MessagePack_deliver_every_envelope_once_and_in_order()
    {
        var run = await LoadTool.RunAsync(server, "pairs", "--protocol", "messagepack", "--pairs", "2", "--devices", "2",
            "--closed-loop", "delivery", "--duration", "1500ms", "--warmup", "0", "--progress", "none");

        ScenarioAssertions.Clean(run);
        Assert.Equal("messagepack", run.Section("parameters")["protocol"]!.GetValue<string>());
        Assert.True(run.Total("sends") > 0);
        Assert.Equal(2 * run.Total("sends"), run.Total("delivered"));
        Assert.InRange(run.Total("receipts"), 1, run.Total("delivered"));
    }

    [Fact]
    public async Task Room_sends_reach_every_device_of_every_other_member_and_the_senders_other_devices()
    {
        var run = await LoadTool.RunAsync(server, "room", "--members", "4", "--devices", "2", "--senders", "2", "--rate", "10",
            "--duration", "2s", "--warmup", "0", "--progress", "none");

        ScenarioAssertions.Clean(run);
        Assert.Equal(7, run.Section("parameters")["fanOut"]!.GetValue<int>());
        Assert.Equal(7 * run.Total("sends"), run.Total("sent"));
    }

    [Fact]
    public async Task Connections_are_all_opened_held_and_the_servers_memory_is_read()
    {
        var run = await LoadTool.RunAsync(server, "connections", "--connections", "40", "--devices", "3", "--duration", "1s",
            "--ramp-up", "500ms", "--progress", "none");

        Assert.True(run.ExitCode == 0, run.ToString());
        var connections = run.Section("connections");
        Assert.Equal(40, connections["connected"]!.GetValue<long>());
        Assert.Equal(0, connections["failed"]!.GetValue<long>());
        Assert.Equal(0, connections["droppedWhileHeld"]!.GetValue<long>());
        Assert.Equal(40, connections["openAtEnd"]!.GetValue<long>());
        Assert.True(connections["connectsPerSecond"]!.GetValue<double>() > 0);
        Assert.Equal(40, run.Total("devicesCreated"));
        var memory = run.Section("server");
        Assert.Equal(server.ProcessId, memory["pid"]!.GetValue<int>());
        Assert.True(memory["rssKiBBefore"]!.GetValue<long>() > 0);
        Assert.True(memory["rssKiBAfter"]!.GetValue<long>() > 0);
        var cpu = run.Section("cpu");
        // Measured over the hold (1 s), give or take a timer tick.
        Assert.InRange(cpu["seconds"]!.GetValue<double>(), 0.9, 30);
        Assert.NotNull(cpu["serverCores"]);
    }

    [Fact]
    public async Task Drain_receives_the_whole_backlog_of_every_device()
    {
        var run = await LoadTool.RunAsync(server, "drain", "--envelopes", "300", "--devices", "2", "--progress", "none");

        ScenarioAssertions.Clean(run);
        Assert.Equal(600, run.Total("sent"));
        var drain = run.Section("drain");
        Assert.True(drain["complete"]!.GetValue<bool>());
        Assert.Equal(300, drain["envelopesPerDevice"]!.GetValue<long>());
        Assert.True(drain["secondsToAllReceived"]!.GetValue<double>() > 0);
        Assert.True(drain["secondsToQueueEmpty"]!.GetValue<double>() > 0);
    }

    [Fact]
    public async Task A_device_that_never_acks_and_disconnects_midway_shows_as_loss_and_exit_code_2()
    {
        var run = await LoadTool.RunAsync(server, "pairs", "--pairs", "2", "--devices", "2", "--rate", "20",
            "--duration", "2s", "--warmup", "0", "--settle", "1s", "--fault", "drop-acks-then-disconnect", "--progress", "none");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.True(run.Total("lost") > 0, run.ToString());
        Assert.Equal(run.Total("sent") - run.Total("lost"), run.Total("delivered"));
        Assert.Equal(0, run.Total("errors"));
        var reasons = run.Result!["verdict"]!["reasons"]!.AsArray();
        Assert.Contains(reasons, reason => reason!.GetValue<string>().Contains("lost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_device_that_reconnects_without_having_acked_gets_server_duplicates_and_loses_nothing()
    {
        var run = await LoadTool.RunAsync(server, "pairs", "--pairs", "2", "--devices", "2", "--rate", "20",
            "--duration", "2s", "--warmup", "0", "--fault", "drop-acks-then-reconnect", "--max-duplicates", "0",
            "--progress", "none");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.True(run.Total("serverDuplicates") > 0, run.ToString());
        Assert.Equal(0, run.Total("contentDuplicates"));
        Assert.Equal(0, run.Total("lost"));
        Assert.Equal(run.Total("sent"), run.Total("delivered"));
    }
}
