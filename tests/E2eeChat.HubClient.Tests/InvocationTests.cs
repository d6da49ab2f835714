using E2eeChat.HubClient.Tests.Hosting;
using Xunit;

namespace E2eeChat.HubClient.Tests;

public sealed class InvocationTests : IAsyncLifetime
{
    private TestHubServer _server = null!;
    private HubConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _server = await TestHubServer.StartAsync();
        _connection = _server.CreateConnection();
        await _connection.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Invoke_returns_the_hub_method_result()
    {
        Assert.Equal("hello", await _connection.InvokeAsync<string>("Echo", ["hello"]).Soon());
        Assert.Equal(5, await _connection.InvokeAsync<int>("Add", [2, 3]).Soon());
    }

    [Fact]
    public async Task Hub_exception_message_reaches_the_caller()
    {
        var error = await Assert.ThrowsAsync<HubException>(() => _connection.InvokeAsync("Fail", []).Soon());

        Assert.Equal("some_code: detail", error.Message);
        Assert.Equal("An unexpected error occurred invoking 'Fail' on the server. HubException: some_code: detail", error.ServerError);
        Assert.Equal("ok", await _connection.InvokeAsync<string>("Echo", ["ok"]).Soon());
    }

    [Fact]
    public async Task Unknown_hub_method_fails_with_the_server_error()
    {
        var error = await Assert.ThrowsAsync<HubException>(() => _connection.InvokeAsync("NoSuchMethod", []).Soon());

        Assert.Equal("Method does not exist.", error.Message);
        Assert.StartsWith("Failed to invoke 'NoSuchMethod'", error.ServerError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_concurrent_invocations_get_their_own_results()
    {
        var calls = Enumerable.Range(0, 500)
            .Select(i => Task.Run(() => _connection.InvokeAsync<int>("Add", [i, 1000])))
            .ToArray();

        var results = await Task.WhenAll(calls).Soon();

        Assert.Equal(Enumerable.Range(1000, 500), results);
    }

    [Fact]
    public async Task Send_reaches_the_server_without_waiting_for_a_result()
    {
        var notified = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = _connection.On<string, int, NotifyPayload>("Notify", (text, _, _) => notified.TrySetResult(text));

        await _connection.SendAsync("PushNotify", ["sent"]).Soon();

        Assert.Equal("sent", await notified.Task.Soon());
    }

    [Fact]
    public async Task Cancelled_invocation_stops_waiting_and_leaves_the_connection_usable()
    {
        using var cancellation = new CancellationTokenSource();
        var hanging = _connection.InvokeAsync("Hang", [], cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging.Soon());
        Assert.True(hanging.IsCanceled);
        Assert.Equal("still here", await _connection.InvokeAsync<string>("Echo", ["still here"]).Soon());
    }

    [Fact]
    public async Task Arguments_that_cannot_be_serialized_fail_the_call_and_not_the_connection()
    {
        await Assert.ThrowsAnyAsync<NotSupportedException>(
            () => _connection.InvokeAsync<string>("Echo", [new Action(() => { })]).Soon());

        Assert.Equal("fine", await _connection.InvokeAsync<string>("Echo", ["fine"]).Soon());
    }
}
