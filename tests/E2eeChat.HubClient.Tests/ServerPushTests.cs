using System.Collections.Concurrent;
using E2eeChat.HubClient.Tests.Hosting;
using Xunit;

namespace E2eeChat.HubClient.Tests;

public sealed class ServerPushTests : IAsyncLifetime
{
    private TestHubServer _server = null!;
    private HubConnection _connection = null!;
    private readonly ConcurrentQueue<(string Method, Exception Error)> _handlerFailures = new();

    public async Task InitializeAsync()
    {
        _server = await TestHubServer.StartAsync();
        _connection = _server.CreateConnection();
        _connection.HandlerFailed += (method, error) => _handlerFailures.Enqueue((method, error));
        await _connection.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Server_push_invokes_the_registered_handler_with_typed_arguments()
    {
        var received = new TaskCompletionSource<(string, int, NotifyPayload)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = _connection.On<string, int, NotifyPayload>("Notify",
            (text, number, payload) => received.TrySetResult((text, number, payload)));

        await _connection.InvokeAsync("PushNotify", ["hi"]).Soon();

        var (text, number, payload) = await received.Task.Soon();
        Assert.Equal("hi", text);
        Assert.Equal(42, number);
        Assert.Equal("payload", payload.Name);
        Assert.Equal(3, payload.Count);
        Assert.Equal(["a", "b"], payload.Tags);
        Assert.Empty(_handlerFailures);
    }

    [Fact]
    public async Task Every_handler_of_a_method_runs_until_it_is_removed()
    {
        var first = 0;
        var second = 0;
        var firstRegistration = _connection.On<string, int, NotifyPayload>("Notify", (_, _, _) => Interlocked.Increment(ref first));
        using var secondRegistration = _connection.On<string, int, NotifyPayload>("Notify", (_, _, _) => Interlocked.Increment(ref second));

        // The hub awaits its push before it completes, so the push has been handled when the invocation returns.
        await _connection.InvokeAsync("PushNotify", ["one"]).Soon();
        firstRegistration.Dispose();
        await _connection.InvokeAsync("PushNotify", ["two"]).Soon();

        Assert.Equal(1, Volatile.Read(ref first));
        Assert.Equal(2, Volatile.Read(ref second));
    }

    [Fact]
    public async Task Pushes_to_methods_without_handlers_are_ignored()
    {
        await _connection.InvokeAsync("PushNotify", ["nobody listens"]).Soon();

        Assert.Equal("alive", await _connection.InvokeAsync<string>("Echo", ["alive"]).Soon());
        Assert.Empty(_handlerFailures);
    }

    [Fact]
    public async Task Handler_failure_is_reported_and_the_connection_stays_open()
    {
        // Notify carries three arguments; a one-argument handler cannot bind them.
        using var _ = _connection.On<string>("Notify", _ => { });

        await _connection.InvokeAsync("PushNotify", ["too many arguments"]).Soon();

        var (method, error) = Assert.Single(_handlerFailures);
        Assert.Equal("Notify", method);
        Assert.IsType<InvalidDataException>(error);
        Assert.Equal("alive", await _connection.InvokeAsync<string>("Echo", ["alive"]).Soon());
    }

    [Fact]
    public async Task Server_push_before_abort_is_delivered_before_Closed()
    {
        var events = new ConcurrentQueue<string>();
        using var _ = _connection.On<RevokedEvent>("Revoked", revoked => events.Enqueue($"revoked:{revoked.Reason}"));
        _connection.Closed += error => events.Enqueue("closed");

        await _connection.SendAsync("RevokeAndAbort", ["device_removed"]).Soon();
        await _connection.WhenClosed.Soon();

        Assert.Equal(["revoked:device_removed", "closed"], events);
    }

    private sealed record RevokedEvent(string Reason);
}
