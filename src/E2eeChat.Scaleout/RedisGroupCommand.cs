namespace E2eeChat.Scaleout;

/// <summary>Asks the instance that holds <paramref name="ConnectionId"/> to change its groups, and to acknowledge it.</summary>
internal readonly record struct RedisGroupCommand(
    ServerId Origin,
    long AckId,
    GroupAction Action,
    string ConnectionId,
    string GroupName);

internal enum GroupAction : byte
{
    Add = 1,
    Remove = 2,
}
