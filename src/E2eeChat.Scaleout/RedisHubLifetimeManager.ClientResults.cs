using System.Diagnostics.CodeAnalysis;
using E2eeChat.Redis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace E2eeChat.Scaleout;

// Client results: invocations that wait for a connection's answer, wherever the connection is.
public sealed partial class RedisHubLifetimeManager<THub>
{
    public override async Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectionId);
        var invocationId = ClientResults.NewInvocationId();
        var connection = _connections[connectionId];
        if (connection is null)
        {
            return await InvokeRemoteAsync<T>(connectionId, invocationId, methodName, args, cancellationToken).ConfigureAwait(false);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.ConnectionAborted);
        var result = _results.Add<T>(connectionId, invocationId, linked.Token);
        try
        {
            await connection.WriteAsync(new InvocationMessage(invocationId, methodName, args), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _results.Remove(invocationId);
            throw;
        }
        try
        {
            return await result.ConfigureAwait(false);
        }
        catch (HubException) when (connection.ConnectionAborted.IsCancellationRequested)
        {
            throw new IOException($"Connection '{connectionId}' disconnected.");
        }
    }

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result)
    {
        ArgumentNullException.ThrowIfNull(connectionId);
        ArgumentNullException.ThrowIfNull(result);
        return _results.CompleteAsync(connectionId, result);
    }

    public override bool TryGetReturnType(string invocationId, [NotNullWhen(true)] out Type? type) =>
        _results.TryGetType(invocationId, out type);

    private async Task<T> InvokeRemoteAsync<T>(string connectionId, string invocationId, string methodName, object?[] args,
        CancellationToken cancellationToken)
    {
        if (_backplane.Connection is not { IsConnected: true } redis)
        {
            throw new IOException($"Connection '{connectionId}' is not on this instance and Redis, which reaches the others, is unreachable.");
        }
        var result = _results.Add<T>(connectionId, invocationId, cancellationToken);
        try
        {
            var message = new SerializedHubMessage(new InvocationMessage(invocationId, methodName, args));
            var payload = RedisProtocol.WriteInvocation(_server, message, null, invocationId, _protocols);
            var receivers = await redis.PublishAsync(_channels.Connection(connectionId), payload, cancellationToken).ConfigureAwait(false);
            if (receivers == 0)
            {
                throw new IOException($"Connection '{connectionId}' does not exist.");
            }
        }
        catch (RedisException exception)
        {
            _results.Remove(invocationId);
            throw new IOException($"Could not reach connection '{connectionId}': Redis is unreachable.", exception);
        }
        catch
        {
            _results.Remove(invocationId);
            throw;
        }
        return await result.ConfigureAwait(false);
    }
}
