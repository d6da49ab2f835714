namespace E2eeChat.HubClient.Protocol;

/// <summary>The <c>type</c> field of a hub protocol record.</summary>
internal enum HubMessageType
{
    None = 0,
    Invocation = 1,
    StreamItem = 2,
    Completion = 3,
    StreamInvocation = 4,
    CancelInvocation = 5,
    Ping = 6,
    Close = 7,
    Ack = 8,
    Sequence = 9,
}
