using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Messages;

/// <summary>
/// Messages:MaxMailboxEnvelopes refuses a send with 429 mailbox_full and stores nothing; Messages:MaxPageBytes ends a
/// mailbox page early.
/// </summary>
public abstract class MailboxQuotaTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Send_to_a_full_mailbox_returns_429_mailbox_full_and_stores_nothing_on_any_device()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(bob);
        var devices = await _api.DevicesAsync(bob);
        await _api.SendTextAsync(alice, bob, "one");
        // The tablet acks its copy: only bob's first device is full.
        var tabletMailbox = await _api.MailboxAsync(tablet);
        await _api.PostAsync("/api/v1/messages/ack", new { ids = tabletMailbox.Select(e => e!["id"]!.GetValue<string>()) },
            tablet.AccessToken);
        await _api.SendTextAsync(alice, bob, "two");

        var refused = await _api.PutAsync($"/api/v1/messages/{bob.UserId}",
            Send(devices.Select(d => Envelope(d.DeviceId, d.RegistrationId, "three"))), alice.AccessToken);
        await using var hub = await HubDevice.ConnectAsync(factory.BaseAddress, alice);
        var hubError = await Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId,
            Send(devices.Select(d => Envelope(d.DeviceId, d.RegistrationId, "four")))));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("mailbox_full", refused.Code);
        Assert.StartsWith("mailbox_full:", HubDevice.ServerMessage(hubError), StringComparison.Ordinal);
        Assert.Equal(["one", "two"], (await _api.MailboxAsync(bob)).Select(Text));
        Assert.Equal(["two"], (await _api.MailboxAsync(tablet)).Select(Text));
    }

    [Fact]
    public async Task Mailbox_page_ends_at_its_byte_budget_with_more_and_always_holds_one_envelope()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await _api.SendTextAsync(alice, bob, new string('a', 1000));
        await _api.SendTextAsync(alice, bob, new string('b', 1000));

        var first = await _api.GetAsync("/api/v1/messages?limit=10", bob.AccessToken);
        var envelopes = first.Body!["envelopes"]!.AsArray();
        await _api.PostAsync("/api/v1/messages/ack", new { ids = envelopes.Select(e => e!["id"]!.GetValue<string>()) }, bob.AccessToken);
        var second = await _api.GetAsync("/api/v1/messages?limit=10", bob.AccessToken);

        Assert.Equal([new string('a', 1000)], envelopes.Select(Text));
        Assert.True(first.Body!["more"]!.GetValue<bool>());
        Assert.Equal([new string('b', 1000)], second.Body!["envelopes"]!.AsArray().Select(Text));
        Assert.False(second.Body!["more"]!.GetValue<bool>());
    }
}

/// <summary>Two envelopes per device; pages of 1500 content bytes.</summary>
public static class SmallMailbox
{
    public static void Apply(Dictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Messages:MaxMailboxEnvelopes"] = "2";
        settings["Messages:MaxEnvelopeBytes"] = "1024";
        settings["Messages:MaxPageBytes"] = "1500";
    }
}

public sealed class SqliteSmallMailboxServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        SmallMailbox.Apply(Settings);
        return base.InitializeAsync();
    }
}

public sealed class PostgresSmallMailboxServerFactory : PostgresServerFactory
{
    public override Task InitializeAsync()
    {
        SmallMailbox.Apply(Settings);
        return base.InitializeAsync();
    }
}

public sealed class SqliteMailboxQuotaTests(SqliteSmallMailboxServerFactory factory) : MailboxQuotaTests<SqliteSmallMailboxServerFactory>(factory);

public sealed class PostgresMailboxQuotaTests(PostgresSmallMailboxServerFactory factory) : MailboxQuotaTests<PostgresSmallMailboxServerFactory>(factory);
