namespace E2eeChat.Scaleout;

/// <summary>
/// The channel names of one hub: <c>{prefix}:{hub}:all</c>, <c>:group:{name}</c>, <c>:user:{id}</c>,
/// <c>:connection:{id}</c>, and per instance <c>:internal:ack:{server}</c> and <c>:internal:results:{server}</c>.
/// Names are subscribed literally (SUBSCRIBE, never PSUBSCRIBE), so a group called <c>*</c> is just a group.
/// </summary>
internal sealed class RedisChannels
{
    private readonly string _prefix;

    public RedisChannels(string channelPrefix, string hubName)
    {
        _prefix = $"{channelPrefix}:{hubName}:";
        All = _prefix + "all";
    }

    /// <summary>Everything that every instance of this hub must see.</summary>
    public string All { get; }

    /// <summary>Invocations for one connection, and group changes and client-result requests for it.</summary>
    public string Connection(string connectionId) => _prefix + "connection:" + connectionId;

    public string Group(string groupName) => _prefix + "group:" + groupName;

    public string User(string userId) => _prefix + "user:" + userId;

    /// <summary>Where other instances confirm the group changes that <paramref name="server"/> asked for.</summary>
    public string Ack(ServerId server) => _prefix + "internal:ack:" + server.Name;

    /// <summary>Where other instances send the client results that <paramref name="server"/> is waiting for.</summary>
    public string Results(ServerId server) => _prefix + "internal:results:" + server.Name;
}
