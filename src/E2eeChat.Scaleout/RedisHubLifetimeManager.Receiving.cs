using System.Diagnostics.CodeAnalysis;
using E2eeChat.Redis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace E2eeChat.Scaleout;

// What arrives from Redis. Handlers run on the subscriber's receive loop: quick, never blocking.
// A throw is reported through RedisSubscriber.HandlerFailed, which the backplane logs.
public sealed partial class RedisHubLifetimeManager<THub>
{
    private void OnAllMessage(RedisMessage message)
    {
        if (RedisProtocol.IsInvocationFrom(message.Payload.Span, _server))
        {
            return;
        }
        var invocation = RedisProtocol.ReadInvocation(message.Payload);
        List<Task>? observed = null;
        _local.WriteAll(_connections, invocation.Message, invocation.ExcludedConnectionIds, ref observed, CancellationToken.None);
    }

    private void OnMembersMessage(RedisSubscriptionManager names, string name, RedisMessage message)
    {
        if (RedisProtocol.IsInvocationFrom(message.Payload.Span, _server) || names.MembersOf(name) is not { } members)
        {
            return;
        }
        var invocation = RedisProtocol.ReadInvocation(message.Payload);
        List<Task>? observed = null;
        _local.WriteAll(members, invocation.Message, invocation.ExcludedConnectionIds, ref observed, CancellationToken.None);
    }

    private void OnConnectionMessage(string connectionId, RedisMessage message)
    {
        var kind = RedisProtocol.KindOf(message.Payload.Span);
        switch (kind)
        {
            case RedisMessageKind.Invocation:
                if (!RedisProtocol.IsInvocationFrom(message.Payload.Span, _server) && _connections[connectionId] is { } connection)
                {
                    WriteRelayed(connection, RedisProtocol.ReadInvocation(message.Payload));
                }
                break;
            case RedisMessageKind.GroupCommand:
                _ = ApplyGroupCommandAsync(RedisProtocol.ReadGroupCommand(message.Payload));
                break;
            default:
                _logger.UnknownMessageKind((byte)kind, message.Channel);
                break;
        }
    }

    private void WriteRelayed(HubConnectionContext connection, RedisInvocation invocation)
    {
        if (invocation.InvocationId is { } invocationId)
        {
            var origin = invocation.Origin;
            _results.AddForwarded(connection.ConnectionId, invocationId,
                completion => ForwardResultAsync(connection, origin, completion));
        }
        List<Task>? observed = null;
        _local.Write(connection, invocation.Message, ref observed, CancellationToken.None);
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "Runs detached from the receive loop; a failure is logged and the asking instance times out.")]
    private async Task ApplyGroupCommandAsync(RedisGroupCommand command)
    {
        try
        {
            if (_connections[command.ConnectionId] is { } connection)
            {
                await ChangeLocalGroupAsync(connection, command.GroupName, command.Action).ConfigureAwait(false);
            }
            // Acknowledged even when the connection left meanwhile: there is nothing more to wait for.
            if (_backplane.Connection is { } redis)
            {
                await redis.PublishAsync(_channels.Ack(command.Origin), RedisProtocol.WriteAck(command.AckId)).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            _logger.GroupCommandFailed(command.ConnectionId, exception);
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "The client's answer may not serialize, or Redis may be gone; either way the asker's own token ends its wait.")]
    private async Task ForwardResultAsync(HubConnectionContext connection, ServerId origin, CompletionMessage completion)
    {
        try
        {
            var protocol = connection.Protocol;
            var payload = RedisProtocol.WriteCompletion(protocol.Name, protocol.GetMessageBytes(completion).Span);
            if (_backplane.Connection is not { } redis)
            {
                throw new RedisConnectionException("Redis has not been reached yet.");
            }
            await redis.PublishAsync(_channels.Results(origin), payload).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _logger.ForwardResultFailed(completion.InvocationId ?? "", exception);
        }
    }

    private void OnAckMessage(RedisMessage message) => _acks.Acknowledge(RedisProtocol.ReadAck(message.Payload));

    private void OnResultMessage(RedisMessage message)
    {
        var completion = RedisProtocol.ReadCompletion(message.Payload);
        if (HubProtocols.Find(_protocols, completion.ProtocolName) is not { } protocol)
        {
            _logger.UnknownProtocol(completion.ProtocolName);
            return;
        }
        _ = _results.CompleteRemoteAsync(protocol, completion.CompletionMessage);
    }
}
