using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Messages;

/// <summary>Messages:MaxMailboxEnvelopes and Messages:MaxMailboxBytes refuse a send with 429 mailbox_full and store nothing.</summary>
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
}

public sealed class SqliteSmallMailboxServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["Messages:MaxMailboxEnvelopes"] = "2";
        return base.InitializeAsync();
    }
}

public sealed class PostgresSmallMailboxServerFactory : PostgresServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["Messages:MaxMailboxEnvelopes"] = "2";
        return base.InitializeAsync();
    }
}

public sealed class SqliteMailboxQuotaTests(SqliteSmallMailboxServerFactory factory) : MailboxQuotaTests<SqliteSmallMailboxServerFactory>(factory);

public sealed class PostgresMailboxQuotaTests(PostgresSmallMailboxServerFactory factory) : MailboxQuotaTests<PostgresSmallMailboxServerFactory>(factory);
