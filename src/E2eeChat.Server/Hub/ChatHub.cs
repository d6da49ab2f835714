using E2eeChat.Domain.Conversations;
using E2eeChat.Domain.Devices;
using E2eeChat.Domain.Messages;
using E2eeChat.Domain.Rooms;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Delivery;
using E2eeChat.Server.Limits;
using E2eeChat.Server.Messages;
using E2eeChat.Server.Presence;
using E2eeChat.Server.Push;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Hub;

/// <summary>
/// The real-time endpoint, <c>/hubs/chat</c>. A device connects with its access token and
/// receives its mailbox; sends, acks and read marks go through the same services as REST.
/// </summary>
[Authorize]
public sealed class ChatHub(
    MessageService messages,
    RoomService rooms,
    DeviceConnections connections,
    IDeviceBus bus,
    IPresenceTracker presence,
    ConversationAudience audiences,
    IDeviceStore devices,
    UserEvents events,
    IRequestRateLimiter limiter,
    HubDeviceLimits deviceLimits,
    TimeProvider clock,
    WakeUps wakeUps) : Microsoft.AspNetCore.SignalR.Hub
{
    public const string Path = "/hubs/chat";

    /// <summary>SignalR's pipe in each direction pauses its writer at this many bytes (its default, set to be documented).</summary>
    public const int TransportBufferBytes = 64 * 1024;

    /// <summary>
    /// How much longer than <c>Messages:SlowConsumerTimeout</c> SignalR's own transport send may stay blocked before the
    /// framework closes the connection. Its default (10 s) would close a client that stopped reading before the pump's
    /// timeout did, without the <c>slow_consumer</c> log and count; now the pump's acts first, and this is the backstop
    /// for a send that blocked while no push was waiting.
    /// </summary>
    public static readonly TimeSpan TransportSendGrace = TimeSpan.FromSeconds(5);

    private Caller Me => Context.User!.Caller();

    public override async Task OnConnectedAsync()
    {
        var me = Me;
        var device = new DeviceKey(me.UserId, me.DeviceId);
        await events.JoinAsync(Context.ConnectionId, me.UserId);
        // Heard before the backlog read starts, so nothing committed in between is missed.
        await bus.AttachedAsync(device, Context.ConnectionId, Context.ConnectionAborted);
        try
        {
            await connections.AttachAsync(device, me.SessionId, Context);
            await devices.TouchAsync(me.UserId, me.DeviceId, clock.GetUtcNow(), Context.ConnectionAborted);
            await wakeUps.ConnectionChangedAsync(device, Context.ConnectionAborted);
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync when OnConnectedAsync fails.
            await connections.DetachAsync(Context.ConnectionId);
            await bus.DetachedAsync(device, Context.ConnectionId, CancellationToken.None);
            throw;
        }
        if (await presence.ConnectedAsync(me.UserId, Context.ConnectionId, Context.ConnectionAborted))
        {
            await AnnouncePresenceAsync(me.UserId, online: true);
        }
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        var me = Me;
        await connections.DetachAsync(Context.ConnectionId);
        await bus.DetachedAsync(new DeviceKey(me.UserId, me.DeviceId), Context.ConnectionId, CancellationToken.None);
        if (await presence.DisconnectedAsync(me.UserId, Context.ConnectionId, CancellationToken.None))
        {
            await AnnouncePresenceAsync(me.UserId, online: false);
        }
        // Last: a store that fails here must not leave presence behind. Connecting clears the flag too.
        await wakeUps.ConnectionChangedAsync(new DeviceKey(me.UserId, me.DeviceId), CancellationToken.None);
    }

    public async Task<SendResult> Send(Guid destinationUserId, SendMessagesRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var me = Me;
        await limiter.AcquireSendAsync(me, destinationUserId, Context.ConnectionAborted);
        return await messages.SendAsync(me.UserId, me.DeviceId, destinationUserId, request.ToDomain(), Context.ConnectionAborted);
    }

    /// <summary>One envelope per device of every other member and of the sender's other devices; as PUT /rooms/{roomId}/messages.</summary>
    public async Task<SendResult> SendToRoom(Guid roomId, SendMessagesRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var me = Me;
        await limiter.AcquireSendAsync(me, roomId, Context.ConnectionAborted);
        return await rooms.SendAsync(me.UserId, me.DeviceId, roomId, request.ToDomain(), Context.ConnectionAborted);
    }

    public async Task Ack(Guid[] envelopeIds)
    {
        var me = Me;
        await deviceLimits.AcquireAsync(RateLimitBucket.AcksPerDevice, me, Context.ConnectionAborted);
        await messages.AckAsync(me.UserId, me.DeviceId, envelopeIds, Context.ConnectionAborted);
        connections.Acknowledged(Context.ConnectionId, envelopeIds);
    }

    public async Task MarkRead(Guid[] messageIds)
    {
        var me = Me;
        await deviceLimits.AcquireAsync(RateLimitBucket.ReadMarksPerDevice, me, Context.ConnectionAborted);
        await messages.MarkReadAsync(me.UserId, me.DeviceId, messageIds, Context.ConnectionAborted);
    }

    /// <summary>
    /// Ephemeral, never stored. <paramref name="conversationId"/> is a mutual contact's user id or a room you are a member
    /// of; it goes to that user's, or the other members', connected devices (<see cref="ConversationAudience"/>).
    /// </summary>
    public async Task Typing(string conversationId, bool isTyping)
    {
        var me = Me;
        await deviceLimits.AcquireAsync(RateLimitBucket.TypingPerDevice, me, Context.ConnectionAborted);
        var audience = await audiences.TypingAsync(me.UserId, conversationId, Context.ConnectionAborted);
        await events.SendAsync(audience.Users, HubEvents.Typing, new TypingEvent(audience.ConversationId, me.UserId, me.DeviceId, isTyping));
    }

    private async Task AnnouncePresenceAsync(Guid userId, bool online)
    {
        var audience = await audiences.PresenceAsync(userId, CancellationToken.None);
        await events.SendAsync(audience, HubEvents.Presence, new PresenceEvent(userId, online));
    }
}
