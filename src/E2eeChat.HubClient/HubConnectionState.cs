namespace E2eeChat.HubClient;

public enum HubConnectionState
{
    Disconnected,
    Connecting,
    Connected,
    Disconnecting,
}
