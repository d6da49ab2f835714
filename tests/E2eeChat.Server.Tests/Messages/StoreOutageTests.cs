using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Postgres;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Messages;

/// <summary>A server on a PostgreSQL of its own, which a test may stop.</summary>
public sealed class OwnPostgresServerFactory : PostgresServerFactory
{
    private PostgresServer? _postgres;

    public Task StopDatabaseAsync() => _postgres!.DisposeAsync().AsTask();

    protected override async Task ConfigureStorageAsync(Dictionary<string, string?> settings)
    {
        await base.ConfigureStorageAsync(settings);
        _postgres = await PostgresServer.StartAsync();
        settings["Storage:ConnectionString"] = await _postgres.CreateDatabaseAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>A database that does not answer gives 503 store_unavailable (hub: the same code), never a 500 or a 200.</summary>
public sealed class StoreOutageTests(OwnPostgresServerFactory factory) : IClassFixture<OwnPostgresServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Sends_while_the_database_is_down_return_503_store_unavailable_on_REST_and_the_hub()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var devices = await _api.DevicesAsync(bob);
        await using var hub = await HubDevice.ConnectAsync(factory.BaseAddress, alice);
        // SignalR dispatches calls only after OnConnectedAsync (which touches the database) has finished.
        await hub.Connection.InvokeAsync("MarkRead", new[] { Guid.NewGuid() });
        var request = Send(devices.Select(d => Envelope(d.DeviceId, d.RegistrationId, "lost?")), messageId: Guid.NewGuid().ToString());

        await factory.StopDatabaseAsync();
        var rest = await _api.PutAsync($"/api/v1/messages/{bob.UserId}", request, alice.AccessToken);
        var hubError = await Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId, request));
        var ready = await _api.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, rest.Status);
        Assert.Equal("store_unavailable", rest.Code);
        Assert.StartsWith("store_unavailable:", HubDevice.ServerMessage(hubError), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
    }
}
