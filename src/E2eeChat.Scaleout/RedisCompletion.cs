namespace E2eeChat.Scaleout;

/// <summary>A client's answer to a client-result request, serialized by the protocol of the connection that gave it.</summary>
internal readonly record struct RedisCompletion(string ProtocolName, ReadOnlyMemory<byte> CompletionMessage);
