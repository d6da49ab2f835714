using System.Net;
using System.Text.Json;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace E2eeChat.Server.Tests.Hosting;

/// <summary>
/// The server as an operator runs it, its whole output read after a graceful stop: no access
/// token, refresh token, link code or password appears in it, whatever the log configuration
/// and whichever directory the server was started from (DESIGN §8b).
/// </summary>
public sealed class LogSafetyTests
{
    private const string WrongPassword = "wrong horse battery";

    [Fact]
    public async Task Server_started_outside_its_project_never_logs_the_hub_access_token()
    {
        // As the README runs it: no configuration, started from a directory that is not the project's.
        using var directory = new TempDirectory("e2eechat-logs");
        using var server = ServerProcessHost.Start(directory.Path);
        await server.WaitUntilReadyAsync();
        using var api = server.Api();
        var alice = await api.SignUpAsync();

        await LoggedHub.ConnectAndWaitForQueueEmptyAsync(server.BaseAddress, alice);
        await server.StopAsync();

        Assert.Contains("Now listening on", server.Output, StringComparison.Ordinal);
        AssertNotInOutput(server, alice.AccessToken);
    }

    [Fact]
    public async Task Server_started_outside_its_project_logs_requests_only_at_its_built_in_levels()
    {
        using var directory = new TempDirectory("e2eechat-logs");
        using var server = ServerProcessHost.Start(directory.Path);
        await server.WaitUntilReadyAsync();
        using var api = server.Api();
        await api.SignUpAsync();
        await server.StopAsync();

        // Information from the host's lifetime, but not a line per request (Microsoft.AspNetCore is at Warning).
        Assert.Contains("Application started", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Request starting", server.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task Whole_session_logged_at_Trace_shows_no_token_link_code_or_password(string formatter)
    {
        using var directory = new TempDirectory("e2eechat-logs");
        using var server = ServerProcessHost.Start(directory.Path, new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
            ["Logging__Console__FormatterName"] = formatter,
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
        });
        await server.WaitUntilReadyAsync();
        using var api = server.Api();

        var secrets = await RunScriptedSessionAsync(api, server.BaseAddress);
        await server.StopAsync();

        Assert.False(server.OutputTruncated, "The server wrote more than the test keeps; the check would be incomplete.");
        // Trace request logging was on: the check below would see a token in a logged URL.
        Assert.Contains("/hubs/chat", server.Output, StringComparison.Ordinal);
        Assert.Contains("/api/v1/auth/refresh", server.Output, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            AssertNotInOutput(server, secret);
        }
    }

    [Fact]
    public async Task Json_logs_are_one_object_per_line_with_instance_and_connection_scopes_and_no_token()
    {
        using var directory = new TempDirectory("e2eechat-logs");
        using var server = ServerProcessHost.Start(directory.Path, new Dictionary<string, string>
        {
            ["Instance__Name"] = "logged-instance",
            ["Logging__LogLevel__E2eeChat"] = "Debug",
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
        });
        await server.WaitUntilReadyAsync();
        using var api = server.Api();
        var alice = await api.SignUpAsync();

        await using (var hub = await HubDevice.ConnectAsync(server.BaseAddress, alice))
        {
            // A refused call logs one Debug line, inside the call's scope.
            await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() =>
                hub.Connection.InvokeAsync("Ack", Array.Empty<Guid>()));
        }
        await server.StopAsync();

        var entries = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line)).ToList();
        var scopes = entries
            .Where(entry => entry.RootElement.TryGetProperty("Scopes", out _))
            .SelectMany(entry => entry.RootElement.GetProperty("Scopes").EnumerateArray())
            .Where(scope => scope.ValueKind == JsonValueKind.Object)
            .ToList();
        Assert.Contains(scopes, scope => scope.TryGetProperty("Instance", out var name) && name.GetString() == "logged-instance");
        Assert.Contains(scopes, scope => scope.TryGetProperty("HubConnectionId", out var id) && id.GetString()!.Length > 0);
        AssertNotInOutput(server, alice.AccessToken);
        AssertNotInOutput(server, Signature(alice.AccessToken));
    }

    /// <summary>
    /// Sign-up, a failed and a good login, a refresh, a link code and a device linked with it,
    /// two hub connections (and one with a forged token), a send between them. Returns every
    /// secret that crossed the wire.
    /// </summary>
    private static async Task<List<string>> RunScriptedSessionAsync(ApiClient api, Uri baseAddress)
    {
        var alice = await api.SignUpAsync();
        var failed = await api.PostAsync("/api/v1/auth/token", new { username = alice.Username, password = WrongPassword, deviceId = 1 });
        Assert.Equal(HttpStatusCode.Unauthorized, failed.Status);
        var login = await api.PostAsync("/api/v1/auth/token", new { username = alice.Username, password = TestAccounts.Password, deviceId = 1 });
        Assert.Equal(HttpStatusCode.OK, login.Status);
        var refreshed = await api.PostAsync("/api/v1/auth/refresh", new { refreshToken = login.Text("refreshToken") });
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        var phone = TestAccounts.FromTokens(alice.Username, refreshed);
        var code = await api.PostAsync("/api/v1/devices/link-codes", token: phone.AccessToken);
        Assert.Equal(HttpStatusCode.Created, code.Status);
        var linked = await api.PostAsync("/api/v1/devices", new { linkCode = code.Text("code"), name = "laptop", registrationId = 4321 });
        Assert.Equal(HttpStatusCode.Created, linked.Status);
        var laptop = TestAccounts.FromTokens(alice.Username, linked);
        var forged = Forge(phone.AccessToken);
        await LoggedHub.AssertRefusedAsync(baseAddress, phone with { AccessToken = forged });

        await LoggedHub.SendToOwnDeviceAsync(baseAddress, phone, laptop, registrationId: 4321);

        return
        [
            TestAccounts.Password, WrongPassword, code.Text("code"), forged, Signature(forged),
            alice.AccessToken, Signature(alice.AccessToken), alice.RefreshToken,
            login.Text("accessToken"), Signature(login.Text("accessToken")), login.Text("refreshToken"),
            phone.AccessToken, Signature(phone.AccessToken), phone.RefreshToken,
            laptop.AccessToken, Signature(laptop.AccessToken), laptop.RefreshToken,
        ];
    }

    /// <summary>The part of a JWT that makes it a credential: a log holding only this still leaks it.</summary>
    private static string Signature(string jwt) => jwt[(jwt.LastIndexOf('.') + 1)..];

    /// <summary>A token whose signature no longer matches: the server refuses it, and must not log it either.</summary>
    private static string Forge(string jwt)
    {
        var middle = jwt.Length - 10;
        return string.Concat(jwt.AsSpan(0, middle), jwt[middle] == 'A' ? "B" : "A", jwt.AsSpan(middle + 1));
    }

    private static void AssertNotInOutput(ServerProcessHost server, string secret)
    {
        var at = server.Output.IndexOf(secret, StringComparison.Ordinal);
        if (at >= 0)
        {
            var lineStart = server.Output.LastIndexOf('\n', at) + 1;
            var lineEnd = server.Output.IndexOf('\n', at);
            var line = server.Output[lineStart..(lineEnd < 0 ? server.Output.Length : lineEnd)];
            Assert.Fail($"A secret ({secret.Length} characters) is in the server's output, in: {line}");
        }
    }

    /// <summary>The hub calls these tests make, in one place so that the client behind them can change.</summary>
    private static class LoggedHub
    {
        public static async Task ConnectAndWaitForQueueEmptyAsync(Uri baseAddress, TestDevice device)
        {
            await using var hub = await HubDevice.ConnectAsync(baseAddress, device);
            await hub.WaitForQueueEmptyAsync();
        }

        public static async Task AssertRefusedAsync(Uri baseAddress, TestDevice device) =>
            await Assert.ThrowsAnyAsync<Exception>(async () => await (await HubDevice.ConnectAsync(baseAddress, device)).DisposeAsync());

        public static async Task SendToOwnDeviceAsync(Uri baseAddress, TestDevice from, TestDevice to, int registrationId)
        {
            await using var sender = await HubDevice.ConnectAsync(baseAddress, from);
            await using var receiver = await HubDevice.ConnectAsync(baseAddress, to);
            await receiver.WaitForQueueEmptyAsync();
            var result = await sender.Connection.InvokeAsync<HubSendResult>("Send",
                from.UserId, Messaging.Send([Messaging.Envelope(to.DeviceId, registrationId, "hello")]));
            Assert.NotEqual(Guid.Empty, result.MessageId);
            await receiver.WaitForEnvelopesAsync(1);
        }
    }
}
