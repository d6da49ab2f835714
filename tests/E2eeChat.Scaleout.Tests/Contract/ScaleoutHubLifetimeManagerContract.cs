using E2eeChat.Scaleout.Tests.Fakes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using static E2eeChat.Scaleout.Tests.Contract.Messages;

namespace E2eeChat.Scaleout.Tests.Contract;

/// <summary>
/// What a scale-out lifetime manager must do across servers, after ASP.NET Core's
/// <c>ScaleoutHubLifetimeManagerTests</c> (the case names are theirs). Each
/// <see cref="HubLifetimeManagerContract.CreateServerAsync"/> is another server on the same backplane.
/// </summary>
public abstract class ScaleoutHubLifetimeManagerContract : HubLifetimeManagerContract
{
    [Fact]
    public async Task InvokeAllAsyncWithMultipleServersWritesToAllConnectionsOutput()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        await manager1.OnConnectedAsync(client1.Connection);
        await manager2.OnConnectedAsync(client2.Connection);

        await manager1.SendAllAsync(Target, Arguments);

        await AssertHelloWorldAsync(client1);
        await AssertHelloWorldAsync(client2);
        await AssertNothingReceivedAsync(client1, manager1);
        await AssertNothingReceivedAsync(client2, manager1);
    }

    [Fact]
    public async Task InvokeAllAsyncWithMultipleServersDoesNotWriteToDisconnectedConnectionsOutput()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        await manager1.OnConnectedAsync(client1.Connection);
        await manager2.OnConnectedAsync(client2.Connection);
        await manager2.OnDisconnectedAsync(client2.Connection);

        await manager2.SendAllAsync(Target, Arguments);

        await AssertHelloWorldAsync(client1);
        await AssertNothingReceivedAsync(client2, manager2);
    }

    [Fact]
    public async Task InvokeAllExceptAsyncWithMultipleServersDoesNotWriteToExcludedConnections()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        using var client3 = new TestClient();
        await manager1.OnConnectedAsync(client1.Connection);
        await ConnectAsync(manager2, client2, client3);

        await manager1.SendAllExceptAsync(Target, Arguments, [client2.ConnectionId]);

        await AssertHelloWorldAsync(client1);
        await AssertHelloWorldAsync(client3);
        await AssertNothingReceivedAsync(client2, manager1);
    }

    [Fact]
    public async Task InvokeConnectionAsyncOnServerWithoutConnectionWritesOutputToConnection()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);

        await manager2.SendConnectionAsync(client.ConnectionId, Target, Arguments);

        await AssertHelloWorldAsync(client);
    }

    [Fact]
    public async Task InvokeConnectionsAsyncReachesConnectionsOnEveryServer()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        using var client3 = new TestClient();
        await manager1.OnConnectedAsync(client1.Connection);
        await ConnectAsync(manager2, client2, client3);

        await manager1.SendConnectionsAsync([client1.ConnectionId, client2.ConnectionId], Target, Arguments);

        await AssertHelloWorldAsync(client1);
        await AssertHelloWorldAsync(client2);
        await AssertNothingReceivedAsync(client3, manager1);
    }

    [Fact]
    public async Task InvokeGroupAsyncOnServerWithoutConnectionWritesOutputToGroupConnection()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);
        await manager1.AddToGroupAsync(client.ConnectionId, "name");

        await manager2.SendGroupAsync("name", Target, Arguments);

        await AssertHelloWorldAsync(client);
    }

    [Fact]
    public async Task InvokeGroupExceptAsyncWithMultipleServersDoesNotWriteToExcludedConnections()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        using var client3 = new TestClient();
        await manager1.OnConnectedAsync(client1.Connection);
        await ConnectAsync(manager2, client2, client3);
        await manager1.AddToGroupAsync(client1.ConnectionId, "room");
        await manager2.AddToGroupAsync(client2.ConnectionId, "room");
        await manager2.AddToGroupAsync(client3.ConnectionId, "room");

        await manager1.SendGroupExceptAsync("room", Target, Arguments, [client3.ConnectionId]);

        await AssertHelloWorldAsync(client1);
        await AssertHelloWorldAsync(client2);
        await AssertNothingReceivedAsync(client3, manager1);
    }

    [Fact]
    public async Task InvokeGroupAsyncFromAnotherServerWorksAfterLocalRemove()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client1 = new TestClient();
        using var client2 = new TestClient();
        await ConnectAsync(manager1, client1, client2);
        await manager1.AddToGroupAsync(client1.ConnectionId, "name");
        await manager1.AddToGroupAsync(client2.ConnectionId, "name");
        await manager1.RemoveFromGroupAsync(client1.ConnectionId, "name");

        await manager2.SendGroupAsync("name", Target, Arguments);

        await AssertHelloWorldAsync(client2);
        await AssertNothingReceivedAsync(client1, manager2);
    }

    [Fact]
    public async Task InvokeGroupAsyncFromAnotherServerWorksAfterTheGroupWasLeftAndJoinedAgain()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);
        await manager1.AddToGroupAsync(client.ConnectionId, "name");
        await manager1.RemoveFromGroupAsync(client.ConnectionId, "name");
        await manager1.AddToGroupAsync(client.ConnectionId, "name");

        await manager2.SendGroupAsync("name", Target, Arguments);

        await AssertHelloWorldAsync(client);
    }

    [Fact]
    public async Task InvokeUserAsyncReachesTheUsersConnectionsOnEveryServer()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client1 = new TestClient(userIdentifier: "userA");
        using var client2 = new TestClient(userIdentifier: "userA");
        using var client3 = new TestClient(userIdentifier: "userB");
        await manager1.OnConnectedAsync(client1.Connection);
        await ConnectAsync(manager2, client2, client3);

        await manager1.SendUserAsync("userA", Target, Arguments);
        await manager2.SendUsersAsync(["userB"], Target, Arguments);

        await AssertHelloWorldAsync(client1);
        await AssertHelloWorldAsync(client2);
        await AssertHelloWorldAsync(client3);
        await AssertNothingReceivedAsync(client1, manager2);
        await AssertNothingReceivedAsync(client2, manager1);
        await AssertNothingReceivedAsync(client3, manager1);
    }

    [Fact]
    public async Task RemoveGroupFromConnectionOnDifferentServerNotInGroupDoesNothing()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);

        await manager2.RemoveFromGroupAsync(client.ConnectionId, "name");
        await manager2.SendGroupAsync("name", Target, Arguments);

        await AssertNothingReceivedAsync(client, manager2);
    }

    [Fact]
    public async Task AddGroupAsyncForConnectionOnDifferentServerWorks()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);

        await manager2.AddToGroupAsync(client.ConnectionId, "name");
        await manager2.SendGroupAsync("name", Target, Arguments);

        await AssertHelloWorldAsync(client);
    }

    [Fact]
    public async Task AddGroupAsyncForConnectionOnDifferentServerAlreadyInGroupDoesNothing()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);

        await manager1.AddToGroupAsync(client.ConnectionId, "name");
        await manager2.AddToGroupAsync(client.ConnectionId, "name");
        await manager2.SendGroupAsync("name", Target, Arguments);

        await AssertHelloWorldAsync(client);
        await AssertNothingReceivedAsync(client, manager2);
    }

    [Fact]
    public async Task RemoveGroupAsyncForConnectionOnDifferentServerWorks()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);
        await manager1.AddToGroupAsync(client.ConnectionId, "name");
        await manager2.SendGroupAsync("name", Target, Arguments);
        await AssertHelloWorldAsync(client);

        await manager2.RemoveFromGroupAsync(client.ConnectionId, "name");
        await manager2.SendGroupAsync("name", Target, Arguments);

        await AssertNothingReceivedAsync(client, manager2);
    }

    [Fact]
    public async Task GroupChangesForAConnectionNoServerHasDoNothing()
    {
        var manager = await CreateServerAsync();
        await CreateServerAsync();

        await manager.AddToGroupAsync("nobody-has-this-connection", "name");
        await manager.RemoveFromGroupAsync("nobody-has-this-connection", "name");
    }

    [Fact]
    public async Task InvokeConnectionAsyncForLocalConnectionDoesNotPublishToBackplane()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        // On both servers, so a message that went through the backplane as well would arrive twice.
        await manager1.OnConnectedAsync(client.Connection);
        await manager2.OnConnectedAsync(client.Connection);

        await manager1.SendConnectionAsync(client.ConnectionId, Target, Arguments);

        await AssertHelloWorldAsync(client);
        await AssertNothingReceivedAsync(client, manager1);
    }

    [Fact]
    public async Task WritingToRemoteConnectionThatFailsDoesNotThrow()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient(failsWrites: true);
        await manager2.OnConnectedAsync(client.Connection);

        // The write fails on the other server; once published, nobody here can know.
        await manager1.SendConnectionAsync(client.ConnectionId, Target, Arguments);
        await BarrierAsync(manager1);
    }

    [Fact]
    public async Task WritingToGroupWithOneConnectionFailingSecondConnectionStillReceivesMessage()
    {
        var manager = await CreateServerAsync();
        var other = await CreateServerAsync();
        using var failing = new TestClient(failsWrites: true);
        using var client = new TestClient();
        using var remote = new TestClient();
        await manager.OnConnectedAsync(failing.Connection);
        await manager.AddToGroupAsync(failing.ConnectionId, "group");
        await manager.OnConnectedAsync(client.Connection);
        await manager.AddToGroupAsync(client.ConnectionId, "group");
        await other.OnConnectedAsync(remote.Connection);
        await other.AddToGroupAsync(remote.ConnectionId, "group");

        await manager.SendGroupAsync("group", Target, Arguments);
        await AssertHelloWorldAsync(client);
        await AssertHelloWorldAsync(remote);

        // And the group can still be sent to, from here and from elsewhere.
        await manager.SendGroupAsync("group", Target, Arguments);
        await other.SendGroupAsync("group", Target, Arguments);
        await AssertHelloWorldAsync(client);
        await AssertHelloWorldAsync(client);
    }

    [Fact]
    public async Task CanProcessClientReturnResultAcrossServers()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);

        var result = manager2.InvokeConnectionAsync<int>(client.ConnectionId, "Result", ["test"], CancellationToken.None);
        var invocation = await client.ReadInvocationAsync();
        Assert.NotNull(invocation.InvocationId);
        Assert.Equal("test", invocation.Arguments[0]);
        await manager1.SetConnectionResultAsync(client.ConnectionId, CompletionMessage.WithResult(invocation.InvocationId!, 10));

        Assert.Equal(10, await result.WaitAsync(TestClient.Patience));
    }

    [Fact]
    public async Task CanProcessClientReturnErrorResultAcrossServers()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);

        var result = manager2.InvokeConnectionAsync<int>(client.ConnectionId, "Result", ["test"], CancellationToken.None);
        var invocation = await client.ReadInvocationAsync();
        await manager1.SetConnectionResultAsync(client.ConnectionId, CompletionMessage.WithError(invocation.InvocationId!, "Error from client"));

        var error = await Assert.ThrowsAsync<HubException>(() => result.WaitAsync(TestClient.Patience));
        Assert.Equal("Error from client", error.Message);
    }

    [Fact]
    public async Task ConnectionIDNotPresentMultiServerWhenInvokingClientResult()
    {
        var manager1 = await CreateServerAsync();
        await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);

        await Assert.ThrowsAsync<IOException>(() =>
            manager1.InvokeConnectionAsync<int>("none", "Result", ["test"], CancellationToken.None).WaitAsync(TestClient.Patience));
    }

    [Fact]
    public async Task ClientDisconnectsWithoutCompletingClientResultOnSecondServer()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager2.OnConnectedAsync(client.Connection);

        var result = manager1.InvokeConnectionAsync<int>(client.ConnectionId, "Result", ["test"], CancellationToken.None);
        await client.ReadInvocationAsync();
        client.Connection.Abort();
        await manager2.OnDisconnectedAsync(client.Connection);

        var error = await Assert.ThrowsAsync<HubException>(() => result.WaitAsync(TestClient.Patience));
        Assert.Equal("Connection disconnected.", error.Message);
    }

    [Fact]
    public async Task InvocationsFromDifferentServersUseUniqueIDs()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);

        var invoke1 = manager1.InvokeConnectionAsync<int>(client.ConnectionId, "Result", ["test"], CancellationToken.None);
        var invocation1 = await client.ReadInvocationAsync();
        var invoke2 = manager2.InvokeConnectionAsync<int>(client.ConnectionId, "Result", ["test"], CancellationToken.None);
        var invocation2 = await client.ReadInvocationAsync();
        Assert.NotEqual(invocation1.InvocationId, invocation2.InvocationId);

        await manager1.SetConnectionResultAsync(client.ConnectionId, CompletionMessage.WithResult(invocation1.InvocationId!, 2));
        await manager1.SetConnectionResultAsync(client.ConnectionId, CompletionMessage.WithResult(invocation2.InvocationId!, 5));

        Assert.Equal(2, await invoke1.WaitAsync(TestClient.Patience));
        Assert.Equal(5, await invoke2.WaitAsync(TestClient.Patience));
    }

    [Fact]
    public async Task ConnectionDoesNotExist_FailsInvokeConnectionAsync()
    {
        var manager1 = await CreateServerAsync();
        await CreateServerAsync();

        var error = await Assert.ThrowsAsync<IOException>(() =>
            manager1.InvokeConnectionAsync<int>("1234", "Result", ["test"], CancellationToken.None).WaitAsync(TestClient.Patience));
        Assert.Equal("Connection '1234' does not exist.", error.Message);
    }

    [Fact]
    public async Task ClientReturnResultAcrossServersWithWrongReturnedTypeErrors()
    {
        var manager1 = await CreateServerAsync();
        var manager2 = await CreateServerAsync();
        using var client = new TestClient();
        await manager1.OnConnectedAsync(client.Connection);

        var result = manager2.InvokeConnectionAsync<int>(client.ConnectionId, "Result", ["test"], CancellationToken.None);
        var invocation = await client.ReadInvocationAsync();
        await manager1.SetConnectionResultAsync(client.ConnectionId, CompletionMessage.WithResult(invocation.InvocationId!, "wrong type"));

        var error = await Assert.ThrowsAsync<HubException>(() => result.WaitAsync(TestClient.Patience));
        Assert.StartsWith("Error trying to deserialize result to Int32.", error.Message, StringComparison.Ordinal);
    }
}
