using System.Net;
using E2eeChat.HubClient.Tests.Hosting;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.HubClient.Tests;

public sealed class ConnectionTests : IAsyncLifetime
{
    private TestHubServer _server = null!;

    public async Task InitializeAsync() => _server = await TestHubServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Skip_negotiation_connects_directly()
    {
        await using var connection = _server.CreateConnection(o => o.SkipNegotiation = true);

        await connection.StartAsync().Soon();

        Assert.Equal(HubConnectionState.Connected, connection.State);
        Assert.Null(connection.ConnectionId);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("/hubs/test", request.Path);
        Assert.False(request.Query.ContainsKey("id"));
    }

    [Fact]
    public async Task Negotiate_then_connect_works()
    {
        await using var connection = _server.CreateConnection(o => o.SkipNegotiation = false);

        await connection.StartAsync().Soon();

        Assert.NotNull(connection.ConnectionId);
        Assert.Equal(connection.ConnectionId, await connection.InvokeAsync<string>("ConnectionIdSeen", []).Soon());
        var requests = _server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(("POST", "/hubs/test/negotiate"), (requests[0].Method, requests[0].Path));
        Assert.Equal("1", requests[0].Query["negotiateVersion"]);
        Assert.Equal($"Bearer {TestHub.ValidToken}", requests[0].Authorization);
        Assert.Equal("/hubs/test", requests[1].Path);
        Assert.True(requests[1].Query.ContainsKey("id"));
    }

    [Fact]
    public async Task Access_token_is_sent_in_the_query_string()
    {
        await using var connection = _server.CreateConnection();
        await connection.StartAsync().Soon();

        // The token has spaces and reserved characters, so it only survives if it was URL-encoded.
        Assert.Equal(TestHub.ValidToken, await connection.InvokeAsync<string>("AccessTokenFromQuery", []).Soon());
        Assert.Equal("", Assert.Single(_server.Requests).Authorization);
    }

    [Fact]
    public async Task Restart_asks_the_token_provider_for_a_fresh_token()
    {
        var issued = 0;
        await using var connection = _server.CreateConnection(o =>
            o.AccessTokenProvider = _ => ValueTask.FromResult<string?>($"token-{Interlocked.Increment(ref issued)}"));

        await connection.StartAsync().Soon();
        Assert.Equal("token-1", await connection.InvokeAsync<string>("AccessTokenFromQuery", []).Soon());
        await connection.StopAsync().Soon();
        await connection.StartAsync().Soon();

        Assert.Equal("token-2", await connection.InvokeAsync<string>("AccessTokenFromQuery", []).Soon());
    }

    [Fact]
    public async Task Refused_upgrade_fails_start_with_the_status_code()
    {
        await using var connection = _server.CreateConnection(o =>
            o.AccessTokenProvider = _ => ValueTask.FromResult<string?>(TestHubServer.ExpiredToken));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync().Soon());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.DoesNotContain(TestHubServer.ExpiredToken, error.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
        Assert.Same(error, await connection.WhenClosed.Soon());
    }

    [Fact]
    public async Task Close_message_error_is_surfaced()
    {
        await using var connection = _server.CreateConnection(o =>
            o.AccessTokenProvider = _ => ValueTask.FromResult<string?>(TestHub.RejectedToken));
        var raised = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += error => raised.TrySetResult(error);

        await connection.StartAsync().Soon();
        var reason = await connection.WhenClosed.Soon();

        var closed = Assert.IsType<HubConnectionClosedException>(reason);
        Assert.NotNull(closed.ServerError);
        Assert.Contains("unauthorized: the token was rejected", closed.ServerError, StringComparison.Ordinal);
        Assert.Contains(closed.ServerError, closed.Message, StringComparison.Ordinal);
        Assert.Same(reason, await raised.Task.Soon());
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task Server_abort_completes_Closed_and_fails_pending_invocations()
    {
        await using var connection = _server.CreateConnection();
        var closedCount = 0;
        connection.Closed += _ => Interlocked.Increment(ref closedCount);
        await connection.StartAsync().Soon();
        var hanging = connection.InvokeAsync("Hang", []);

        await connection.SendAsync("Abort", []).Soon();

        Assert.IsType<HubConnectionClosedException>(await connection.WhenClosed.Soon());
        await Assert.ThrowsAsync<HubConnectionClosedException>(() => hanging.Soon());
        await Assert.ThrowsAsync<HubConnectionClosedException>(() => connection.InvokeAsync("Echo", ["late"]).Soon());
        Assert.Equal(1, Volatile.Read(ref closedCount));
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task Stop_fails_pending_invocations_and_reports_no_error()
    {
        await using var connection = _server.CreateConnection();
        await connection.StartAsync().Soon();
        var hanging = connection.InvokeAsync("Hang", []);
        // A round trip after it proves the server has the Hang invocation in hand.
        await connection.InvokeAsync<string>("Echo", ["sync"]).Soon();

        await connection.StopAsync().Soon();

        Assert.Null(await connection.WhenClosed.Soon());
        var error = await Assert.ThrowsAsync<HubConnectionClosedException>(() => hanging.Soon());
        Assert.Null(error.ServerError);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task Stop_ends_the_connection_on_the_server_too()
    {
        await using var connection = _server.CreateConnection();
        await connection.StartAsync().Soon();
        var id = await connection.InvokeAsync<string>("ConnectionIdSeen", []).Soon();

        await connection.StopAsync().Soon();

        // ASP.NET Core reports a client's close frame and a dropped socket alike, so only the end is observable.
        await Wait.UntilAsync(() => _server.DisconnectLog.Disconnects.ContainsKey(id!), Within.Deadline,
            "the server to see the disconnect");
    }

    [Fact]
    public async Task Stop_during_start_wins_over_the_start()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var connection = _server.CreateConnection(o => o.AccessTokenProvider = async _ =>
        {
            // Ignores cancellation on purpose, so the start runs on after the stop and must notice it.
            await release.Task;
            return TestHub.ValidToken;
        });
        var starting = connection.StartAsync();
        Assert.Equal(HubConnectionState.Connecting, connection.State);

        await connection.StopAsync().Soon();
        release.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starting.Soon());
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
        Assert.IsAssignableFrom<OperationCanceledException>(await connection.WhenClosed.Soon());
    }

    [Fact]
    public async Task Invoke_before_start_fails_clearly()
    {
        await using var connection = _server.CreateConnection();

        var error = await Assert.ThrowsAsync<HubConnectionClosedException>(
            () => connection.InvokeAsync<string>("Echo", ["too early"]));

        Assert.Contains("StartAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hundreds_of_connections_work_side_by_side_in_one_process()
    {
        var connections = Enumerable.Range(0, 300).Select(_ => _server.CreateConnection()).ToArray();
        try
        {
            await Task.WhenAll(connections.Select(c => c.StartAsync())).WaitAsync(TimeSpan.FromSeconds(30));

            var sums = await Task.WhenAll(connections.Select((c, i) => c.InvokeAsync<int>("Add", [i, i])))
                .WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(Enumerable.Range(0, 300).Select(i => 2 * i).ToArray(), sums);
        }
        finally
        {
            await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
