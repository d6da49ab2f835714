using E2eeChat.Domain.Messages;
using E2eeChat.Domain.Rooms;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Messages;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace E2eeChat.Server.Rooms;

/// <summary>Rooms (DESIGN §6). For anyone but a member, every room path answers 404 <c>room_not_found</c>.</summary>
[ApiController]
[Authorize]
[Route("api/v1/rooms")]
public sealed class RoomsController(RoomService rooms) : ControllerBase
{
    [HttpPost]
    [ProducesResponseType<RoomResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create(CreateRoomRequest request, CancellationToken cancellationToken)
    {
        var room = await rooms.CreateAsync(User.Caller().UserId, request.Name, request.MemberIds, cancellationToken);
        return Created($"/api/v1/rooms/{room.RoomId}", RoomResponse.From(room));
    }

    /// <summary>The caller's rooms, oldest first.</summary>
    [HttpGet]
    public async Task<IEnumerable<RoomResponse>> List(CancellationToken cancellationToken) =>
        (await rooms.ListAsync(User.Caller().UserId, cancellationToken)).Select(RoomResponse.From);

    [HttpGet("{roomId:guid}")]
    public async Task<RoomResponse> Get(Guid roomId, CancellationToken cancellationToken) =>
        RoomResponse.From(await rooms.GetAsync(roomId, User.Caller().UserId, cancellationToken));

    /// <summary>Admins rename the room.</summary>
    [HttpPatch("{roomId:guid}")]
    public async Task<RoomResponse> Rename(Guid roomId, RenameRoomRequest request, CancellationToken cancellationToken) =>
        RoomResponse.From(await rooms.RenameAsync(roomId, User.Caller().UserId, request.Name, cancellationToken));

    /// <summary>Admins delete the room; envelopes already sent stay in their mailboxes.</summary>
    [HttpDelete("{roomId:guid}")]
    public async Task<IActionResult> Delete(Guid roomId, CancellationToken cancellationToken)
    {
        await rooms.DeleteAsync(roomId, User.Caller().UserId, cancellationToken);
        return NoContent();
    }

    [HttpGet("{roomId:guid}/members")]
    public async Task<IEnumerable<RoomMemberResponse>> Members(Guid roomId, CancellationToken cancellationToken) =>
        RoomResponse.MembersOf(await rooms.GetAsync(roomId, User.Caller().UserId, cancellationToken));

    /// <summary>Admins add a member; adding someone who is a member already changes nothing.</summary>
    [HttpPost("{roomId:guid}/members")]
    public async Task<IActionResult> AddMember(Guid roomId, AddRoomMemberRequest request, CancellationToken cancellationToken)
    {
        await rooms.AddMemberAsync(roomId, User.Caller().UserId, request.UserId, request.Role, cancellationToken);
        return NoContent();
    }

    /// <summary>Admins remove anyone; any member removes themselves (leaves).</summary>
    [HttpDelete("{roomId:guid}/members/{userId:guid}")]
    public async Task<IActionResult> RemoveMember(Guid roomId, Guid userId, CancellationToken cancellationToken)
    {
        await rooms.RemoveMemberAsync(roomId, User.Caller().UserId, userId, cancellationToken);
        return NoContent();
    }

    /// <summary>One envelope per device of every other member and of the sender's other devices; 409/410 list each member.</summary>
    [HttpPut("{roomId:guid}/messages")]
    public async Task<SendResult> Send(Guid roomId, SendMessagesRequest request, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        return await rooms.SendAsync(caller.UserId, caller.DeviceId, roomId, request.ToDomain(), cancellationToken);
    }
}
