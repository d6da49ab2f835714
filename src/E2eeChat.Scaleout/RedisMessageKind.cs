namespace E2eeChat.Scaleout;

/// <summary>The first byte of every scale-out message. Unknown kinds, say from a newer instance, are logged and dropped.</summary>
internal enum RedisMessageKind : byte
{
    Invocation = 1,
    GroupCommand = 2,
    Ack = 3,
    Completion = 4,
}
