using E2eeChat.Domain.Messages;
using E2eeChat.Domain.Rooms;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Limits;
using E2eeChat.Server.Messages;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace E2eeChat.Server.Rooms;

/// <summary>
/// Rooms (DESIGN §6). For anyone but a member, every room path answers 404 <c>room_not_found</c>; an invitee sees their
/// invitations under <c>/api/v1/rooms/invitations</c> and nothing else of the room until they accept.
/// </summary>
[ApiController]
[Authorize]
[Route("api/v1/rooms")]
public sealed class RoomsController(RoomService rooms, IRequestRateLimiter limiter) : ControllerBase
{
    /// <summary>Creates the room with the caller as its admin and invites <c>memberIds</c>.</summary>
    [HttpPost]
    [ProducesResponseType<RoomResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create(CreateRoomRequest request, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.RoomCreationsPerAccount, caller, cancellationToken);
        await LimitInvitationsAsync(caller, RoomRules.Invitees(caller.UserId, request.MemberIds).Count, cancellationToken);
        var room = await rooms.CreateAsync(caller.UserId, request.Name, request.MemberIds, cancellationToken);
        return Created($"/api/v1/rooms/{room.RoomId}", RoomResponse.From(room));
    }

    /// <summary>The caller's pending invitations, oldest first.</summary>
    [HttpGet("invitations")]
    public async Task<IEnumerable<PendingInvitationResponse>> Invitations(CancellationToken cancellationToken) =>
        (await rooms.InvitationsAsync(await ReaderAsync(cancellationToken), cancellationToken)).Select(PendingInvitationResponse.From);

    /// <summary>The caller joins the room they were invited to; 409 <c>too_many_rooms</c> keeps the invitation.</summary>
    [HttpPost("invitations/{roomId:guid}/accept")]
    public async Task<RoomResponse> Accept(Guid roomId, CancellationToken cancellationToken) =>
        RoomResponse.From(await rooms.AcceptAsync(roomId, await ChangerAsync(cancellationToken), cancellationToken));

    [HttpPost("invitations/{roomId:guid}/decline")]
    public async Task<IActionResult> Decline(Guid roomId, CancellationToken cancellationToken)
    {
        await rooms.DeclineAsync(roomId, await ChangerAsync(cancellationToken), cancellationToken);
        return NoContent();
    }

    /// <summary>The caller's rooms, oldest first.</summary>
    [HttpGet]
    public async Task<IEnumerable<RoomResponse>> List(CancellationToken cancellationToken) =>
        (await rooms.ListAsync(await ReaderAsync(cancellationToken), cancellationToken)).Select(RoomResponse.From);

    [HttpGet("{roomId:guid}")]
    public async Task<RoomResponse> Get(Guid roomId, CancellationToken cancellationToken) =>
        RoomResponse.From(await rooms.GetAsync(roomId, await ReaderAsync(cancellationToken), cancellationToken));

    /// <summary>Admins rename the room.</summary>
    [HttpPatch("{roomId:guid}")]
    public async Task<RoomResponse> Rename(Guid roomId, RenameRoomRequest request, CancellationToken cancellationToken) =>
        RoomResponse.From(await rooms.RenameAsync(roomId, await ChangerAsync(cancellationToken), request.Name, cancellationToken));

    /// <summary>Admins delete the room; envelopes already sent stay in their mailboxes.</summary>
    [HttpDelete("{roomId:guid}")]
    public async Task<IActionResult> Delete(Guid roomId, CancellationToken cancellationToken)
    {
        await rooms.DeleteAsync(roomId, await ChangerAsync(cancellationToken), cancellationToken);
        return NoContent();
    }

    [HttpGet("{roomId:guid}/members")]
    public async Task<IEnumerable<RoomMemberResponse>> Members(Guid roomId, CancellationToken cancellationToken) =>
        RoomResponse.MembersOf(await rooms.GetAsync(roomId, await ReaderAsync(cancellationToken), cancellationToken));

    /// <summary>Admins invite; inviting a member, or someone invited already, changes nothing.</summary>
    [HttpPost("{roomId:guid}/members")]
    public async Task<IActionResult> Invite(Guid roomId, AddRoomMemberRequest request, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await LimitInvitationsAsync(caller, 1, cancellationToken);
        await rooms.InviteAsync(roomId, caller.UserId, request.UserId, request.Role, cancellationToken);
        return NoContent();
    }

    /// <summary>Admins remove anyone and withdraw pending invitations; any member removes themselves (leaves).</summary>
    [HttpDelete("{roomId:guid}/members/{userId:guid}")]
    public async Task<IActionResult> RemoveMember(Guid roomId, Guid userId, CancellationToken cancellationToken)
    {
        await rooms.RemoveMemberAsync(roomId, await ChangerAsync(cancellationToken), userId, cancellationToken);
        return NoContent();
    }

    /// <summary>One envelope per device of every other member and of the sender's other devices; 409/410 list each member.</summary>
    [HttpPut("{roomId:guid}/messages")]
    public async Task<SendResult> Send(Guid roomId, SendMessagesRequest request, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireSendAsync(caller, roomId, cancellationToken);
        return await rooms.SendAsync(caller.UserId, caller.DeviceId, roomId, request.ToDomain(), cancellationToken);
    }

    /// <summary>The caller's account, after a permit for reading its rooms.</summary>
    private Task<Guid> ReaderAsync(CancellationToken cancellationToken) =>
        PermittedAsync(RateLimitBucket.ReadsPerAccount, cancellationToken);

    /// <summary>The caller's account, after a permit for changing a room or an invitation.</summary>
    private Task<Guid> ChangerAsync(CancellationToken cancellationToken) =>
        PermittedAsync(RateLimitBucket.RoomChangesPerAccount, cancellationToken);

    private async Task<Guid> PermittedAsync(RateLimitBucket bucket, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(bucket, caller, cancellationToken);
        return caller.UserId;
    }

    /// <summary>Each invitation takes one permit, before anything is stored.</summary>
    private async Task LimitInvitationsAsync(Caller caller, int invitations, CancellationToken cancellationToken)
    {
        for (var i = 0; i < invitations; i++)
        {
            await limiter.AcquireForAccountAsync(RateLimitBucket.RoomInvitationsPerAccount, caller, cancellationToken);
        }
    }
}
