using E2eeChat.Scaleout.Tests.Fakes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using static E2eeChat.Scaleout.Tests.Contract.Messages;

namespace E2eeChat.Scaleout.Tests.Contract;

/// <summary>
/// What every hub lifetime manager must do on one server, after ASP.NET Core's
/// <c>HubLifetimeManagerTestsBase</c> (the case names are theirs). It runs against the in-memory
/// <see cref="DefaultHubLifetimeManager{THub}"/> and against ours, so the two are held to one contract.
/// </summary>
public abstract class HubLifetimeManagerContract : IAsyncLifetime
{
    /// <summary>A lifetime manager on a server of its own; scale-out managers on one backplane reach each other.</summary>
    protected abstract Task<HubLifetimeManager<TestHub>> CreateServerAsync();

    /// <summary>
    /// Returns once everything <paramref name="sender"/> sent so far has reached every server, so that
    /// a message that has not arrived never will. Sends within one server are done when they return.
    /// </summary>
    protected virtual Task BarrierAsync(HubLifetimeManager<TestHub> sender) => Task.CompletedTask;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected static async Task ConnectAsync(HubLifetimeManager<TestHub> manager, params TestClient[] clients)
    {
        foreach (var client in clients)
        {
            await manager.OnConnectedAsync(client.Connection);
        }
    }

    protected async Task AssertNothingReceivedAsync(TestClient client, HubLifetimeManager<TestHub> sender)
    {
        await BarrierAsync(sender);
        Assert.Null(client.TryRead());
    }

    [Fact]
    public async Task SendAllAsyncWritesToAllConnectionsOutput()
    {
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2);

        await manager.SendAllAsync(Target, Arguments);

        await AssertHelloWorldAsync(client1);
        await AssertHelloWorldAsync(client2);
    }

    [Fact]
    public async Task SendAllAsyncDoesNotWriteToDisconnectedConnectionsOutput()
    {
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2);
        await manager.OnDisconnectedAsync(client2.Connection);

        await manager.SendAllAsync(Target, Arguments);

        await AssertHelloWorldAsync(client1);
        await AssertNothingReceivedAsync(client2, manager);
    }

    [Fact]
    public async Task SendAllExceptAsyncDoesNotWriteToExcludedConnections()
    {
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2);

        await manager.SendAllExceptAsync(Target, Arguments, [client2.ConnectionId]);

        await AssertHelloWorldAsync(client1);
        await AssertNothingReceivedAsync(client2, manager);
    }

    [Fact]
    public async Task SendGroupAsyncWritesToAllConnectionsInGroupOutput()
    {
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2);
        await manager.AddToGroupAsync(client1.ConnectionId, "group");

        await manager.SendGroupAsync("group", Target, Arguments);

        await AssertHelloWorldAsync(client1);
        await AssertNothingReceivedAsync(client2, manager);
    }

    [Fact]
    public async Task SendGroupExceptAsyncDoesNotWriteToExcludedConnections()
    {
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2);
        await manager.AddToGroupAsync(client1.ConnectionId, "group1");
        await manager.AddToGroupAsync(client2.ConnectionId, "group1");

        await manager.SendGroupExceptAsync("group1", Target, Arguments, [client2.ConnectionId]);

        await AssertHelloWorldAsync(client1);
        await AssertNothingReceivedAsync(client2, manager);
    }

    [Fact]
    public async Task SendGroupsAsyncWritesToEveryNamedGroup()
    {
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        using var client3 = new TestClient();
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2, client3);
        await manager.AddToGroupAsync(client1.ConnectionId, "a");
        await manager.AddToGroupAsync(client2.ConnectionId, "b");
        await manager.AddToGroupAsync(client3.ConnectionId, "c");

        await manager.SendGroupsAsync(["a", "b"], Target, Arguments);

        await AssertHelloWorldAsync(client1);
        await AssertHelloWorldAsync(client2);
        await AssertNothingReceivedAsync(client3, manager);
    }

    [Fact]
    public async Task SendConnectionAsyncWritesToConnectionOutput()
    {
        using var client = new TestClient();
        var manager = await CreateServerAsync();
        await manager.OnConnectedAsync(client.Connection);

        await manager.SendConnectionAsync(client.ConnectionId, Target, Arguments);

        await AssertHelloWorldAsync(client);
    }

    [Fact]
    public async Task SendConnectionsAsyncWritesToEveryNamedConnection()
    {
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        using var client3 = new TestClient();
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2, client3);

        await manager.SendConnectionsAsync([client1.ConnectionId, client3.ConnectionId], Target, Arguments);

        await AssertHelloWorldAsync(client1);
        await AssertHelloWorldAsync(client3);
        await AssertNothingReceivedAsync(client2, manager);
    }

    [Fact]
    public async Task InvokeUserSendsToAllConnectionsForUser()
    {
        using var client1 = new TestClient(userIdentifier: "userA");
        using var client2 = new TestClient(userIdentifier: "userA");
        using var client3 = new TestClient(userIdentifier: "userB");
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2, client3);

        await manager.SendUserAsync("userA", Target, Arguments);

        await AssertHelloWorldAsync(client1);
        await AssertHelloWorldAsync(client2);
        await AssertNothingReceivedAsync(client3, manager);
    }

    [Fact]
    public async Task SendUsersAsyncWritesToEveryConnectionOfEveryNamedUser()
    {
        using var client1 = new TestClient(userIdentifier: "userA");
        using var client2 = new TestClient(userIdentifier: "userB");
        using var client3 = new TestClient(userIdentifier: "userC");
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2, client3);

        await manager.SendUsersAsync(["userA", "userB"], Target, Arguments);

        await AssertHelloWorldAsync(client1);
        await AssertHelloWorldAsync(client2);
        await AssertNothingReceivedAsync(client3, manager);
    }

    [Fact]
    public async Task StillSubscribedToUserAfterOneOfMultipleConnectionsAssociatedWithUserDisconnects()
    {
        using var client1 = new TestClient(userIdentifier: "userA");
        using var client2 = new TestClient(userIdentifier: "userA");
        using var client3 = new TestClient(userIdentifier: "userB");
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2, client3);
        await manager.SendUserAsync("userA", Target, Arguments);
        await AssertHelloWorldAsync(client1);
        await AssertHelloWorldAsync(client2);

        await manager.OnDisconnectedAsync(client1.Connection);
        await manager.SendUserAsync("userA", Target, Arguments);

        await AssertHelloWorldAsync(client2);
        await AssertNothingReceivedAsync(client1, manager);
    }

    [Fact]
    public async Task DisconnectConnectionRemovesConnectionFromGroup()
    {
        using var client = new TestClient();
        var manager = await CreateServerAsync();
        await manager.OnConnectedAsync(client.Connection);
        await manager.AddToGroupAsync(client.ConnectionId, "name");
        await manager.OnDisconnectedAsync(client.Connection);

        await manager.SendGroupAsync("name", Target, Arguments);

        await AssertNothingReceivedAsync(client, manager);
    }

    [Fact]
    public async Task RemoveGroupFromLocalConnectionNotInGroupDoesNothing()
    {
        using var client = new TestClient();
        var manager = await CreateServerAsync();
        await manager.OnConnectedAsync(client.Connection);

        await manager.RemoveFromGroupAsync(client.ConnectionId, "name");
        await manager.SendGroupAsync("name", Target, Arguments);

        await AssertNothingReceivedAsync(client, manager);
    }

    [Fact]
    public async Task AddGroupAsyncForLocalConnectionAlreadyInGroupDoesNothing()
    {
        using var client = new TestClient();
        var manager = await CreateServerAsync();
        await manager.OnConnectedAsync(client.Connection);
        await manager.AddToGroupAsync(client.ConnectionId, "name");
        await manager.AddToGroupAsync(client.ConnectionId, "name");

        await manager.SendGroupAsync("name", Target, Arguments);

        await AssertHelloWorldAsync(client);
        await AssertNothingReceivedAsync(client, manager);
    }

    [Fact]
    public async Task RemoveGroupAsyncForLocalConnectionStopsGroupMessages()
    {
        using var client = new TestClient();
        var manager = await CreateServerAsync();
        await manager.OnConnectedAsync(client.Connection);
        await manager.AddToGroupAsync(client.ConnectionId, "name");
        await manager.RemoveFromGroupAsync(client.ConnectionId, "name");

        await manager.SendGroupAsync("name", Target, Arguments);

        await AssertNothingReceivedAsync(client, manager);
    }

    [Fact]
    public async Task CanProcessClientReturnResult()
    {
        using var client = new TestClient();
        var manager = await CreateServerAsync();
        await manager.OnConnectedAsync(client.Connection);

        var result = manager.InvokeConnectionAsync<int>(client.ConnectionId, "Result", ["test"], CancellationToken.None);
        var invocation = await client.ReadInvocationAsync();
        Assert.NotNull(invocation.InvocationId);
        Assert.Equal("test", invocation.Arguments[0]);
        await manager.SetConnectionResultAsync(client.ConnectionId, CompletionMessage.WithResult(invocation.InvocationId!, 10));

        Assert.Equal(10, await result.WaitAsync(TestClient.Patience));
    }

    [Fact]
    public async Task CanProcessClientReturnErrorResult()
    {
        using var client = new TestClient();
        var manager = await CreateServerAsync();
        await manager.OnConnectedAsync(client.Connection);

        var result = manager.InvokeConnectionAsync<int>(client.ConnectionId, "Result", ["test"], CancellationToken.None);
        var invocation = await client.ReadInvocationAsync();
        await manager.SetConnectionResultAsync(client.ConnectionId, CompletionMessage.WithError(invocation.InvocationId!, "Error from client"));

        var error = await Assert.ThrowsAsync<HubException>(() => result.WaitAsync(TestClient.Patience));
        Assert.Equal("Error from client", error.Message);
    }

    [Fact]
    public async Task ExceptionWhenIncorrectClientCompletesClientResult()
    {
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2);

        var result = manager.InvokeConnectionAsync<int>(client1.ConnectionId, "Result", ["test"], CancellationToken.None);
        var invocation = await client1.ReadInvocationAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            manager.SetConnectionResultAsync(client2.ConnectionId, CompletionMessage.WithError(invocation.InvocationId!, "Error from client")));
        Assert.Equal($"Connection ID '{client2.ConnectionId}' is not valid for invocation ID '{invocation.InvocationId}'.", error.Message);

        // The wrong client changed nothing: the right one can still answer.
        await manager.SetConnectionResultAsync(client1.ConnectionId, CompletionMessage.WithResult(invocation.InvocationId!, 10));
        Assert.Equal(10, await result.WaitAsync(TestClient.Patience));
    }

    [Fact]
    public async Task ConnectionIDNotPresentWhenInvokingClientResult()
    {
        using var client = new TestClient();
        var manager = await CreateServerAsync();
        await manager.OnConnectedAsync(client.Connection);

        await Assert.ThrowsAsync<IOException>(() =>
            manager.InvokeConnectionAsync<int>("none", "Result", ["test"], CancellationToken.None).WaitAsync(TestClient.Patience));
    }

    [Fact]
    public async Task InvokesForMultipleClientsDoNotCollide()
    {
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        var manager = await CreateServerAsync();
        await ConnectAsync(manager, client1, client2);

        var invoke1 = manager.InvokeConnectionAsync<int>(client1.ConnectionId, "Result", ["test"], CancellationToken.None);
        var invoke2 = manager.InvokeConnectionAsync<int>(client2.ConnectionId, "Result", ["test"], CancellationToken.None);
        var invocation1 = await client1.ReadInvocationAsync();
        var invocation2 = await client2.ReadInvocationAsync();
        await manager.SetConnectionResultAsync(client2.ConnectionId, CompletionMessage.WithError(invocation2.InvocationId!, "error"));

        await Assert.ThrowsAnyAsync<Exception>(() => invoke2.WaitAsync(TestClient.Patience));
        Assert.False(invoke1.IsCompleted);
        await manager.SetConnectionResultAsync(client1.ConnectionId, CompletionMessage.WithResult(invocation1.InvocationId!, 3));
        Assert.Equal(3, await invoke1.WaitAsync(TestClient.Patience));
    }

    [Fact]
    public async Task ClientDisconnectsWithoutCompletingClientResult()
    {
        using var client = new TestClient();
        var manager = await CreateServerAsync();
        await manager.OnConnectedAsync(client.Connection);

        var result = manager.InvokeConnectionAsync<int>(client.ConnectionId, "Result", ["test"], CancellationToken.None);
        await client.ReadInvocationAsync();
        client.Connection.Abort();
        await manager.OnDisconnectedAsync(client.Connection);

        var error = await Assert.ThrowsAsync<IOException>(() => result.WaitAsync(TestClient.Patience));
        Assert.Equal($"Connection '{client.ConnectionId}' disconnected.", error.Message);
    }

    [Fact]
    public async Task CanCancelClientResult()
    {
        using var client = new TestClient();
        var manager = await CreateServerAsync();
        await manager.OnConnectedAsync(client.Connection);
        using var cancellation = new CancellationTokenSource();

        var result = manager.InvokeConnectionAsync<int>(client.ConnectionId, "Result", ["test"], cancellation.Token);
        var invocation = await client.ReadInvocationAsync();
        await cancellation.CancelAsync();

        await Assert.ThrowsAsync<HubException>(() => result.WaitAsync(TestClient.Patience));
        // A late answer, in flight while the server gave up, is ignored.
        await manager.SetConnectionResultAsync(client.ConnectionId, CompletionMessage.WithResult(invocation.InvocationId!, 1));
    }
}
