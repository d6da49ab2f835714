using E2eeChat.Domain.Rooms;

namespace E2eeChat.Server.Hub;

/// <summary>Sends committed room changes to every connected device of the users concerned, on any instance.</summary>
internal sealed class HubRoomEvents(UserEvents events) : IRoomEvents
{
    public async ValueTask PublishAsync(RoomEvent roomEvent, IReadOnlyList<Guid> audience, CancellationToken cancellationToken) =>
        await events.SendAsync(audience, HubEvents.RoomEvent, roomEvent).ConfigureAwait(false);
}
