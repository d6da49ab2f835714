using System.Collections.Concurrent;
using E2eeChat.Redis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace E2eeChat.Scaleout;

/// <summary>
/// A <see cref="HubLifetimeManager{THub}"/> for many instances behind a load balancer, sharing Redis.
/// Connections on this instance are written directly and every send is also published once, so
/// the other instances write theirs; an instance ignores its own echo, so each connection gets a
/// message exactly once. Group changes for a connection elsewhere are sent to the instance that
/// holds it and acknowledged. When Redis is down, sends still reach this instance's connections
/// and remote fan-out is dropped (and logged); callers do not see an exception.
/// </summary>
public sealed partial class RedisHubLifetimeManager<THub> : HubLifetimeManager<THub>, IDisposable where THub : Hub
{
    private readonly HubConnectionStore _connections = new();
    private readonly ConcurrentDictionary<string, ConnectionGroups> _groupsOfConnection = new(StringComparer.Ordinal);
    private readonly RedisBackplane _backplane;
    private readonly ILogger _logger;
    private readonly ServerId _server = ServerId.New();
    private readonly RedisChannels _channels;
    private readonly IHubProtocol[] _protocols;
    private readonly ChannelSubscriptions _subscriptions;
    private readonly RedisSubscriptionManager _groups;
    private readonly RedisSubscriptionManager _users;
    private readonly RedisSubscriptionManager _connectionChannels;
    private readonly AckHandler _acks;
    private readonly ClientResults _results = new();
    private readonly LocalDelivery _local;
    private readonly Task _ready;

    public RedisHubLifetimeManager(
        RedisBackplane backplane,
        IOptions<RedisScaleoutOptions> options,
        IHubProtocolResolver protocolResolver,
        IOptions<HubOptions> globalHubOptions,
        IOptions<HubOptions<THub>> hubOptions,
        ILogger<RedisHubLifetimeManager<THub>> logger,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(backplane);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(protocolResolver);
        ArgumentNullException.ThrowIfNull(globalHubOptions);
        ArgumentNullException.ThrowIfNull(hubOptions);
        ArgumentNullException.ThrowIfNull(logger);
        _backplane = backplane;
        _logger = logger;
        _channels = new RedisChannels(options.Value.ChannelPrefix, typeof(THub).FullName ?? typeof(THub).Name);
        _protocols = HubProtocols.Supported(protocolResolver,
            hubOptions.Value.SupportedProtocols ?? globalHubOptions.Value.SupportedProtocols);
        _acks = new AckHandler(options.Value.AckTimeout, timeProvider ?? TimeProvider.System);
        _local = new LocalDelivery(logger);
        _subscriptions = new ChannelSubscriptions(backplane, logger, options.Value.ToRedisOptions().ReconnectInitialDelay);
        _groups = new RedisSubscriptionManager(_subscriptions, _channels.Group, OnMembersMessage);
        _users = new RedisSubscriptionManager(_subscriptions, _channels.User, OnMembersMessage);
        _connectionChannels = new RedisSubscriptionManager(_subscriptions, _channels.Connection,
            (_, connectionId, message) => OnConnectionMessage(connectionId, message));
        _ready = Task.WhenAll(
            _subscriptions.SubscribeAsync(_channels.All, OnAllMessage),
            _subscriptions.SubscribeAsync(_channels.Ack(_server), OnAckMessage),
            _subscriptions.SubscribeAsync(_channels.Results(_server), OnResultMessage));
    }

    /// <summary>Every channel this instance wants subscribed, for leak checks.</summary>
    internal int SubscribedChannelCount => _subscriptions.Count;

    /// <summary>Channels waiting for Redis to come back before they can be subscribed.</summary>
    internal int UnconfirmedChannelCount => _subscriptions.UnconfirmedCount;

    internal int PendingAckCount => _acks.PendingCount;

    internal int PendingResultCount => _results.Count;

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await _ready.ConfigureAwait(false);
        _groupsOfConnection[connection.ConnectionId] = new ConnectionGroups();
        _connections.Add(connection);
        var channel = _connectionChannels.AddAsync(connection.ConnectionId, connection);
        var user = string.IsNullOrEmpty(connection.UserIdentifier)
            ? Task.CompletedTask
            : _users.AddAsync(connection.UserIdentifier, connection);
        await Task.WhenAll(channel, user).ConfigureAwait(false);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connections.Remove(connection);
        var groups = _groupsOfConnection.TryRemove(connection.ConnectionId, out var joined)
            ? joined.CloseAsync(group => _groups.RemoveAsync(group, connection))
            : Task.CompletedTask;
        var user = string.IsNullOrEmpty(connection.UserIdentifier)
            ? Task.CompletedTask
            : _users.RemoveAsync(connection.UserIdentifier, connection);
        var channel = _connectionChannels.RemoveAsync(connection.ConnectionId, connection);
        var results = _results.DisconnectedAsync(connection.ConnectionId);
        return Task.WhenAll(groups, user, channel, results);
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendToAllAsync(methodName, args, excludedConnectionIds: null, cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(excludedConnectionIds);
        return SendToAllAsync(methodName, args, excludedConnectionIds, cancellationToken);
    }

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connectionId);
        var message = Invocation(methodName, args);
        var connection = _connections[connectionId];
        if (connection is not null)
        {
            List<Task>? slowWrite = null;
            _local.Write(connection, message, ref slowWrite, cancellationToken);
            return slowWrite?[0] ?? Task.CompletedTask;
        }
        return PublishAsync(_channels.Connection(connectionId), RemotePayload(message, null), cancellationToken);
    }

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connectionIds);
        var message = Invocation(methodName, args);
        byte[]? payload = null;
        var serialized = false;
        List<Task>? pending = null;
        for (var i = 0; i < connectionIds.Count; i++)
        {
            var connection = _connections[connectionIds[i]];
            if (connection is not null)
            {
                _local.Write(connection, message, ref pending, cancellationToken);
                continue;
            }
            if (!serialized)
            {
                payload = RemotePayload(message, null);
                serialized = true;
            }
            (pending ??= []).Add(PublishAsync(_channels.Connection(connectionIds[i]), payload, cancellationToken));
        }
        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupName);
        return SendToMembersAsync(_groups, groupName, methodName, args, excludedConnectionIds: null, cancellationToken);
    }

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args,
        IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupName);
        ArgumentNullException.ThrowIfNull(excludedConnectionIds);
        return SendToMembersAsync(_groups, groupName, methodName, args, excludedConnectionIds, cancellationToken);
    }

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupNames);
        for (var i = 0; i < groupNames.Count; i++)
        {
            if (string.IsNullOrEmpty(groupNames[i]))
            {
                throw new InvalidOperationException("Cannot send to an empty group name.");
            }
        }
        return SendToMembersAsync(_groups, groupNames, methodName, args, cancellationToken);
    }

    public override Task SendUserAsync(string userId, string methodName, object?[] args,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return SendToMembersAsync(_users, userId, methodName, args, excludedConnectionIds: null, cancellationToken);
    }

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        return SendToMembersAsync(_users, userIds, methodName, args, cancellationToken);
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        ChangeGroupAsync(connectionId, groupName, GroupAction.Add, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        ChangeGroupAsync(connectionId, groupName, GroupAction.Remove, cancellationToken);

    /// <summary>Unsubscribes this hub's channels and fails whatever still waits for another instance or a client.</summary>
    public void Dispose()
    {
        _subscriptions.Dispose();
        _acks.Dispose();
        _results.Dispose();
    }

    private static SerializedHubMessage Invocation(string methodName, object?[] args) =>
        new(new InvocationMessage(methodName, args));

    private static Task Join(Task published, List<Task>? slowWrites)
    {
        if (slowWrites is null)
        {
            return published;
        }
        slowWrites.Add(published);
        return Task.WhenAll(slowWrites);
    }

    private Task SendToAllAsync(string methodName, object?[] args, IReadOnlyList<string>? excludedConnectionIds,
        CancellationToken cancellationToken)
    {
        var message = Invocation(methodName, args);
        // Serializing for Redis first fills the message's per-protocol cache, which the local writes then reuse.
        var published = PublishAsync(_channels.All, RemotePayload(message, excludedConnectionIds), cancellationToken);
        List<Task>? slowWrites = null;
        _local.WriteAll(_connections, message, excludedConnectionIds, ref slowWrites, cancellationToken);
        return Join(published, slowWrites);
    }

    private Task SendToMembersAsync(RedisSubscriptionManager names, string name, string methodName, object?[] args,
        IReadOnlyList<string>? excludedConnectionIds, CancellationToken cancellationToken)
    {
        var message = Invocation(methodName, args);
        var published = PublishAsync(names.ChannelOf(name), RemotePayload(message, excludedConnectionIds), cancellationToken);
        List<Task>? slowWrites = null;
        if (names.MembersOf(name) is { } members)
        {
            _local.WriteAll(members, message, excludedConnectionIds, ref slowWrites, cancellationToken);
        }
        return Join(published, slowWrites);
    }

    private Task SendToMembersAsync(RedisSubscriptionManager names, IReadOnlyList<string> nameList, string methodName,
        object?[] args, CancellationToken cancellationToken)
    {
        var message = Invocation(methodName, args);
        var payload = RemotePayload(message, null);
        List<Task>? pending = null;
        for (var i = 0; i < nameList.Count; i++)
        {
            var name = nameList[i];
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }
            (pending ??= []).Add(PublishAsync(names.ChannelOf(name), payload, cancellationToken));
            if (names.MembersOf(name) is { } members)
            {
                _local.WriteAll(members, message, null, ref pending, cancellationToken);
            }
        }
        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }

    /// <summary>The invocation in the wire format, or null when Redis is unreachable and nothing can be published.</summary>
    private byte[]? RemotePayload(SerializedHubMessage message, IReadOnlyList<string>? excludedConnectionIds) =>
        _backplane.Connection is { IsConnected: true }
            ? RedisProtocol.WriteInvocation(_server, message, excludedConnectionIds, invocationId: null, _protocols)
            : null;

    private Task PublishAsync(string channel, byte[]? payload, CancellationToken cancellationToken)
    {
        if (payload is null || _backplane.Connection is not { } redis)
        {
            _logger.PublishDropped(channel, null);
            return Task.CompletedTask;
        }
        return PublishCoreAsync(redis, channel, payload, cancellationToken);
    }

    private async Task PublishCoreAsync(RedisConnection redis, string channel, byte[] payload, CancellationToken cancellationToken)
    {
        try
        {
            await redis.PublishAsync(channel, payload, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisException exception)
        {
            _logger.PublishDropped(channel, exception);
        }
    }

    private Task ChangeGroupAsync(string connectionId, string groupName, GroupAction action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectionId);
        ArgumentNullException.ThrowIfNull(groupName);
        return _connections[connectionId] is { } connection
            ? ChangeLocalGroupAsync(connection, groupName, action)
            : SendGroupCommandAsync(connectionId, groupName, action, cancellationToken);
    }

    private Task ChangeLocalGroupAsync(HubConnectionContext connection, string groupName, GroupAction action)
    {
        if (!_groupsOfConnection.TryGetValue(connection.ConnectionId, out var joined))
        {
            return Task.CompletedTask;
        }
        return action == GroupAction.Add
            ? joined.AddAsync(groupName, group => _groups.AddAsync(group, connection))
            : joined.RemoveAsync(groupName, group => _groups.RemoveAsync(group, connection));
    }

    private async Task SendGroupCommandAsync(string connectionId, string groupName, GroupAction action,
        CancellationToken cancellationToken)
    {
        var what = action == GroupAction.Add
            ? $"adding connection '{connectionId}' to group '{groupName}'"
            : $"removing connection '{connectionId}' from group '{groupName}'";
        if (_backplane.Connection is not { IsConnected: true } redis)
        {
            throw new IOException($"Failed {what}: the connection is not on this instance and Redis, which reaches the others, is unreachable.");
        }
        var (ackId, acknowledged) = _acks.Create();
        long receivers;
        try
        {
            var command = RedisProtocol.WriteGroupCommand(new RedisGroupCommand(_server, ackId, action, connectionId, groupName));
            // Sent to the connection's own channel: only the instance holding it hears it, and none means none has it.
            receivers = await redis.PublishAsync(_channels.Connection(connectionId), command, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisException exception)
        {
            _acks.Forget(ackId);
            throw new IOException($"Failed {what}: Redis is unreachable.", exception);
        }
        catch
        {
            _acks.Forget(ackId);
            throw;
        }
        if (receivers == 0)
        {
            // No instance has the connection: as in the in-memory manager, there is nothing to change.
            _acks.Forget(ackId);
            return;
        }
        await _acks.WaitAsync(ackId, acknowledged, what, cancellationToken).ConfigureAwait(false);
    }
}
