using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.HubClient.Tests.Hosting;

public sealed record NotifyPayload(string Name, int Count, IReadOnlyList<string> Tags);

/// <summary>What the server saw when connections ended, by connection id.</summary>
public sealed class DisconnectLog
{
    public ConcurrentDictionary<string, Exception?> Disconnects { get; } = new();
}

/// <summary>The hub the client is tested against: one method per behaviour under test.</summary>
public sealed class TestHub(DisconnectLog disconnectLog) : Hub
{
    public const string RejectedToken = "rejected-token";
    public const string ValidToken = "valid token/+=&?";

    public string Echo(string text) => text;

    public int Add(int a, int b) => a + b;

    public void Fail() => throw new Microsoft.AspNetCore.SignalR.HubException("some_code: detail");

    public Task PushNotify(string text) =>
        Clients.Caller.SendAsync("Notify", text, 42, new NotifyPayload("payload", 3, ["a", "b"]));

    public async Task RevokeAndAbort(string reason)
    {
        await Clients.Caller.SendAsync("Revoked", new { reason });
        Context.Abort();
    }

    public void Abort() => Context.Abort();

    /// <summary>Never completes by itself, so a test can hold an invocation open.</summary>
    public Task Hang() => Task.Delay(Timeout.Infinite, Context.ConnectionAborted);

    public string? AccessTokenFromQuery() => Context.GetHttpContext()?.Request.Query["access_token"];

    public string ConnectionIdSeen() => Context.ConnectionId;

    public override Task OnConnectedAsync()
    {
        var token = Context.GetHttpContext()?.Request.Query["access_token"].ToString();
        if (token == RejectedToken)
        {
            // The server reports this in its Close message, which the client must surface.
            throw new Microsoft.AspNetCore.SignalR.HubException("unauthorized: the token was rejected");
        }
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        disconnectLog.Disconnects[Context.ConnectionId] = exception;
        return base.OnDisconnectedAsync(exception);
    }
}
