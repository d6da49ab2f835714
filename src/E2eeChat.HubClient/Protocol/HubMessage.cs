namespace E2eeChat.HubClient.Protocol;

/// <summary>
/// One parsed record. The spans point into the receive buffer, so a message is handled before the
/// next read and never stored; that is what keeps parsing free of allocations.
/// </summary>
internal ref struct HubMessage
{
    public HubMessageType Type;

    /// <summary>The invocation id when it is a number, as the ids we issue are; 0 otherwise.</summary>
    public long InvocationId;

    /// <summary>The invocation id token exactly as sent, quotes included; empty when absent.</summary>
    public ReadOnlySpan<byte> InvocationIdJson;

    public ReadOnlySpan<char> Target;

    /// <summary>The raw JSON array of arguments; empty when absent.</summary>
    public ReadOnlySpan<byte> Arguments;

    /// <summary>The raw JSON result value; empty when the completion carries none.</summary>
    public ReadOnlySpan<byte> Result;

    public string? Error;

    public bool AllowReconnect;
}
