namespace E2eeChat.Server.Hub;

/// <summary>The server → client method names of the hub contract (DESIGN §9).</summary>
public static class HubEvents
{
    public const string Envelope = "Envelope";
    public const string QueueEmpty = "QueueEmpty";
    public const string Receipts = "Receipts";
    public const string Typing = "Typing";
    public const string Presence = "Presence";
    public const string Revoked = "Revoked";
    public const string RoomEvent = "RoomEvent";
}
