using System.Text.Json;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;

namespace E2eeChat.Server.Tests.Hub;

/// <summary>
/// A refused hub call is a client's mistake, not the server's: one Debug line with the code and no stack, so no
/// client can flood the error log. Anything unexpected still logs at Error with its exception.
/// </summary>
public sealed class HubRefusalLoggingTests(LogCapturingServerFactory factory) : IClassFixture<LogCapturingServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task A_refused_hub_call_logs_a_debug_line_with_its_code_and_nothing_at_error()
    {
        factory.Logs.Clear();
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await _api.LinkByPasswordAsync(bob);
        var registration = (await _api.DevicesAsync(bob))[0].RegistrationId;
        await using var aliceHub = await HubDevice.ConnectAsync(factory.BaseAddress, alice);

        for (var i = 0; i < 5; i++)
        {
            var error = await Assert.ThrowsAsync<HubException>(() => aliceHub.Connection.InvokeAsync<JsonElement>("Send",
                bob.UserId, Send([Envelope(1, registration, "x")])));
            Assert.StartsWith("mismatched_devices:", HubDevice.ServerMessage(error), StringComparison.Ordinal);
        }

        factory.AssertNoErrors();
        var refusals = factory.Logs.GetSnapshot()
            .Where(r => r.Message.Contains("mismatched_devices", StringComparison.Ordinal) && r.Message.Contains("Send", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(5, refusals.Count);
        Assert.All(refusals, r =>
        {
            Assert.Equal(LogLevel.Debug, r.Level);
            Assert.Null(r.Exception);
        });
    }

    public static TheoryData<string, object?[], string> BadArguments => new()
    {
        { "Send", [Guid.NewGuid(), null], "invalid_request" },
        { "SendToRoom", [Guid.NewGuid(), null], "invalid_request" },
        { "Ack", [null], "invalid_request" },
        { "MarkRead", [null], "invalid_request" },
        { "Typing", [null, true], "invalid_request" },
        { "Send", [Guid.NewGuid(), new { messages = new object?[] { null }, timestamp = 1 }], "invalid_envelope" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task A_hub_call_with_missing_arguments_is_refused_with_a_code_and_nothing_at_error(string method, object?[] arguments,
        string code)
    {
        factory.Logs.Clear();
        var alice = await _api.SignUpAsync();
        await using var hub = await HubDevice.ConnectAsync(factory.BaseAddress, alice);

        var error = await Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeCoreAsync(method, arguments));

        Assert.True(HubDevice.ServerMessage(error).StartsWith($"{code}:", StringComparison.Ordinal), error.Message);
        factory.AssertNoErrors();
    }
}

/// <summary>The store loses a table under the running server: a hub call meets a failure nobody planned for.</summary>
public sealed class BrokenStoreServerFactory : LogCapturingServerFactory
{
    public void DropTable(string table)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "e2eechat.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"DROP TABLE {table}";
        command.ExecuteNonQuery();
    }
}

public sealed class HubFailureLoggingTests(BrokenStoreServerFactory factory) : IClassFixture<BrokenStoreServerFactory>
{
    [Fact]
    public async Task An_unexpected_failure_in_a_hub_call_logs_an_error_with_its_exception()
    {
        using var api = factory.Api();
        var alice = await api.SignUpAsync();
        await using var hub = await HubDevice.ConnectAsync(factory.BaseAddress, alice);
        factory.DropTable("message_recipients");

        await Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync("MarkRead", new[] { Guid.NewGuid() }));

        var errors = factory.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).ToList();
        var error = Assert.Single(errors);
        Assert.Contains("MarkRead", error.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(error.Exception);
    }
}
