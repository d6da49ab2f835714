using E2eeChat.Domain.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Hub;

/// <summary>Sends committed room changes to every connected device of the users concerned, on any instance.</summary>
internal sealed class HubRoomEvents(IHubContext<ChatHub> hub) : IRoomEvents
{
    public async ValueTask PublishAsync(RoomEvent roomEvent, IReadOnlyList<Guid> audience, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audience);
        var users = new string[audience.Count];
        for (var i = 0; i < users.Length; i++)
        {
            users[i] = audience[i].ToString();
        }
        await hub.Clients.Users(users).SendAsync(HubEvents.RoomEvent, roomEvent, CancellationToken.None).ConfigureAwait(false);
    }
}
