using System.Net;
using System.Text;
using E2eeChat.Server.Delivery;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Messages;

/// <summary>
/// A server whose PostgreSQL link runs through a <see cref="PostgresRelay"/>, with its log kept (Debug included). One
/// writer that waits 100 ms for company: sends made together share a batch.
/// </summary>
public sealed class RelayedPostgresServerFactory : PostgresServerFactory
{
    public PostgresRelay Relay { get; private set; } = null!;

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    protected override async Task ConfigureStorageAsync(Dictionary<string, string?> settings)
    {
        await base.ConfigureStorageAsync(settings);
        Relay = PostgresRelay.Start((await PostgresServer.Shared).Port);
        settings["Storage:ConnectionString"] = Relay.Through(settings["Storage:ConnectionString"]!);
        settings["Storage:GroupCommit:MaxDelay"] = "00:00:00.100";
        settings["Storage:GroupCommit:Writers"] = "1";
        settings["Logging:LogLevel:E2eeChat"] = "Debug";
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddFakeLogging());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Relay is not null)
        {
            await Relay.DisposeAsync();
        }
    }
}

/// <summary>
/// A batch whose COMMIT reached PostgreSQL but whose answer was lost: the send is not answered 200 before anyone can know
/// it committed, its retry with the same messageId gets the first answer and stores nothing, and its envelope reaches
/// the connected device once, without a reconnect, even when the store was down when the device's pump went to read it.
/// </summary>
public sealed class LostCommitAnswerTests(RelayedPostgresServerFactory factory) : IClassFixture<RelayedPostgresServerFactory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task A_send_whose_commit_answer_was_lost_gets_503_and_its_retry_gets_the_first_answer_and_delivers_its_one_envelope()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await using var bobHub = await HubDevice.ConnectAsync(factory.BaseAddress, bob);
        await bobHub.WaitForQueueEmptyAsync();
        var text = Marker("lost");
        var key = Guid.NewGuid().ToString();

        var lost = factory.Relay.ArmAsync(Encoding.UTF8.GetBytes(text), AfterCommit.LoseTheAnswer);
        var first = await _api.SendTextAsync(alice, bob, text, key);
        await lost.WaitAsync(Patience);
        var retry = await _api.SendTextAsync(alice, bob, text, key);
        await bobHub.WaitUntilAsync(() => bobHub.Texts().Contains(text), "the envelope whose first answer was lost");
        await SendBarrierAsync(alice, bob, bobHub);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.Status);
        Assert.Equal("store_unavailable", first.Code);
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal([text, "barrier"], bobHub.Texts());
        Assert.Equal(Guid.Parse(retry.Text("messageId")), bobHub.Envelopes[0].MessageId);
        Assert.Equal([text, "barrier"], (await _api.MailboxAsync(bob)).Select(Text));
    }

    [Fact]
    public async Task A_pump_that_could_not_read_the_mailbox_while_the_store_was_down_delivers_after_it_returns_without_a_reconnect()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await using var bobHub = await HubDevice.ConnectAsync(factory.BaseAddress, bob);
        await bobHub.WaitForQueueEmptyAsync();
        var connectionId = bobHub.Connection.ConnectionId;
        var unannounced = Marker("unannounced");
        var key = Guid.NewGuid().ToString();
        var announced = Marker("announced");

        // Committed without an announcement: Bob's pump learns of it only from the mailbox.
        var lost = factory.Relay.ArmAsync(Encoding.UTF8.GetBytes(unannounced), AfterCommit.LoseTheAnswer);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _api.SendTextAsync(alice, bob, unannounced, key)).Status);
        await lost.WaitAsync(Patience);
        // Committed and announced, then the store goes away: the announcement shows Bob's pump a gap, and its read fails.
        factory.Logs.Clear();
        var down = factory.Relay.ArmAsync(Encoding.UTF8.GetBytes(announced), AfterCommit.GoDown);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(alice, bob, announced)).Status);
        await down.WaitAsync(Patience);
        await Wait.UntilAsync(() => factory.Logs.GetSnapshot().Any(r => r.Category == typeof(DeviceConnections).FullName
            && r.Exception is not null && r.Message.Contains(bob.UserId.ToString(), StringComparison.Ordinal)),
            Patience, "Bob's pump to fail reading the mailbox");
        var ready = await _api.GetAsync("/health/ready");
        factory.Relay.Restore();

        await bobHub.WaitUntilAsync(() => bobHub.Envelopes.Count >= 2, "both envelopes once the store is back");
        var retry = await _api.SendTextAsync(alice, bob, unannounced, key);
        await SendBarrierAsync(alice, bob, bobHub);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal(HubConnectionState.Connected, bobHub.Connection.State);
        Assert.Equal(connectionId, bobHub.Connection.ConnectionId);
        Assert.Equal([unannounced, announced, "barrier"], bobHub.Texts());
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal(Guid.Parse(retry.Text("messageId")), bobHub.Envelopes[0].MessageId);
    }

    [Fact]
    public async Task A_batch_whose_commit_answer_was_lost_stores_each_send_once_and_refuses_the_one_without_a_messageId()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await using var bobHub = await HubDevice.ConnectAsync(factory.BaseAddress, bob);
        await bobHub.WaitForQueueEmptyAsync();
        var devices = await _api.DevicesAsync(bob);
        var path = $"/api/v1/messages/{bob.UserId}";
        object Request(string text, string? key) => Send(devices.Select(d => Envelope(d.DeviceId, d.RegistrationId, text)), key);
        var keyless = Marker("keyless");
        var keyed = Enumerable.Range(0, 3).Select(i => (Text: $"keyed-{i}", Key: Guid.NewGuid().ToString())).ToList();

        // Made together, the four share the writer's batch; the keyless one marks it.
        var lost = factory.Relay.ArmAsync(Encoding.UTF8.GetBytes(keyless), AfterCommit.LoseTheAnswer);
        var answers = await Task.WhenAll(keyed.Select(k => _api.PutAsync(path, Request(k.Text, k.Key), alice.AccessToken))
            .Prepend(_api.PutAsync(path, Request(keyless, null), alice.AccessToken)));
        await lost.WaitAsync(Patience);
        foreach (var (text, key) in keyed)
        {
            await Wait.UntilAsync(async () => (await _api.PutAsync(path, Request(text, key), alice.AccessToken)).Status == HttpStatusCode.OK,
                Patience, $"{text} to be answered 200");
        }
        await SendBarrierAsync(alice, bob, bobHub);

        // The keyless send may have committed and nothing can tell: it is refused, not stored a second time.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answers[0].Status);
        Assert.Equal("store_unavailable", answers[0].Code);
        Assert.Equal(keyed.Select(k => k.Text).Append(keyless).Append("barrier").Order(), bobHub.Texts().Order());
    }

    private static string Marker(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private async Task SendBarrierAsync(TestDevice from, TestDevice to, HubDevice hub)
    {
        Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(from, to, "barrier")).Status);
        await hub.WaitUntilAsync(() => hub.Texts().Contains("barrier"), "the barrier");
    }
}
