using Microsoft.Extensions.Logging;

namespace E2eeChat.Scaleout;

/// <summary>Every log line of the scale-out, in one place, as source-generated <see cref="LoggerMessageAttribute"/> methods.</summary>
internal static partial class ScaleoutLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to Redis at {Endpoint} for hub scale-out")]
    public static partial void Connected(this ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not connect to Redis at {Endpoint}; instances cannot reach each other until it is up. Retrying in the background")]
    public static partial void ConnectFailed(this ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis {Link} connection lost; fan-out to other instances is paused")]
    public static partial void ConnectionLost(this ILogger logger, string link, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis {Link} connection restored")]
    public static partial void ConnectionRestored(this ILogger logger, string link);

    [LoggerMessage(Level = LogLevel.Error, Message = "An observer of RedisBackplane.ConnectionRestored failed")]
    public static partial void ObserverFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a message on Redis channel {Channel} failed")]
    public static partial void HandlerFailed(this ILogger logger, string channel, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to {Channel} failed; it is subscribed again when Redis is back")]
    public static partial void SubscribeFailed(this ILogger logger, string channel, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribing from {Channel} failed")]
    public static partial void UnsubscribeFailed(this ILogger logger, string channel, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribing {Count} channels again now that Redis is back")]
    public static partial void Resubscribing(this ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis unreachable: fan-out on {Channel} to other instances was dropped")]
    public static partial void PublishDropped(this ILogger logger, string channel, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing to connection {ConnectionId} failed")]
    public static partial void WriteFailed(this ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a scale-out message of unknown kind {Kind} on {Channel}")]
    public static partial void UnknownMessageKind(this ILogger logger, byte kind, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Changing groups for connection {ConnectionId} on behalf of another instance failed")]
    public static partial void GroupCommandFailed(this ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending the result of invocation {InvocationId} back to the instance that asked failed")]
    public static partial void ForwardResultFailed(this ILogger logger, string invocationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "A client result arrived in hub protocol {Protocol}, which this instance does not have; are all instances on the same version?")]
    public static partial void UnknownProtocol(this ILogger logger, string protocol);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A client result from another instance could not be read")]
    public static partial void ResultUnreadable(this ILogger logger, Exception exception);
}
