using E2eeChat.Domain.Devices;
using E2eeChat.Domain.Errors;
using E2eeChat.Domain.Messages;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Messages;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Realtime;

/// <summary>
/// The real-time endpoint, <c>/hubs/chat</c>. A device connects with its access token and
/// receives its mailbox; sends, acks and read marks go through the same services as REST.
/// </summary>
[Authorize]
public sealed class ChatHub(
    MessageService messages,
    DeviceConnections connections,
    IDeviceBus bus,
    IPresenceTracker presence,
    IMailboxStore mailbox,
    IDeviceStore devices,
    TimeProvider clock) : Hub
{
    public const string Path = "/hubs/chat";

    private Caller Me => Context.User!.Caller();

    public override async Task OnConnectedAsync()
    {
        var me = Me;
        var device = new DeviceKey(me.UserId, me.DeviceId);
        await connections.AttachAsync(device, Context);
        await bus.AttachedAsync(device, Context.ConnectionAborted);
        await devices.TouchAsync(me.UserId, me.DeviceId, clock.GetUtcNow(), Context.ConnectionAborted);
        if (await presence.ConnectedAsync(me.UserId, Context.ConnectionId, Context.ConnectionAborted))
        {
            await AnnouncePresenceAsync(me.UserId, online: true);
        }
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        var me = Me;
        var device = new DeviceKey(me.UserId, me.DeviceId);
        await connections.DetachAsync(Context.ConnectionId);
        await bus.DetachedAsync(device, CancellationToken.None);
        if (await presence.DisconnectedAsync(me.UserId, Context.ConnectionId, CancellationToken.None))
        {
            await AnnouncePresenceAsync(me.UserId, online: false);
        }
    }

    public Task<SendResult> Send(Guid destinationUserId, SendMessagesRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var me = Me;
        return messages.SendAsync(me.UserId, me.DeviceId, destinationUserId, request.ToDomain(), Context.ConnectionAborted);
    }

    public async Task Ack(Guid[] envelopeIds)
    {
        var me = Me;
        await messages.AckAsync(me.UserId, me.DeviceId, envelopeIds, Context.ConnectionAborted);
        connections.Acknowledged(Context.ConnectionId, envelopeIds);
    }

    public Task MarkRead(Guid[] messageIds)
    {
        var me = Me;
        return messages.MarkReadAsync(me.UserId, me.DeviceId, messageIds, Context.ConnectionAborted);
    }

    /// <summary>Ephemeral: goes to the conversation partner's connected devices and is never stored.</summary>
    public async Task Typing(string conversationId, bool isTyping)
    {
        var me = Me;
        if (!Guid.TryParse(conversationId, out var peer)
            || !await mailbox.SharesConversationAsync(me.UserId, peer, Context.ConnectionAborted))
        {
            throw DomainException.Forbidden(ErrorCodes.NotInConversation,
                "Typing goes only to a user you share a conversation with.");
        }
        // From the partner's side, the conversation is the one with us.
        await Clients.User(peer.ToString()).SendAsync(HubEvents.Typing,
            new TypingEvent(me.UserId.ToString(), me.UserId, me.DeviceId, isTyping), Context.ConnectionAborted);
    }

    private async Task AnnouncePresenceAsync(Guid userId, bool online)
    {
        var peers = await mailbox.ConversationPeersAsync(userId, CancellationToken.None);
        if (peers.Count > 0)
        {
            await Clients.Users(peers.Select(p => p.ToString()).ToArray())
                .SendAsync(HubEvents.Presence, new PresenceEvent(userId, online), CancellationToken.None);
        }
    }
}
