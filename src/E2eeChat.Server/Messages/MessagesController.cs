using E2eeChat.Domain.Messages;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Limits;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace E2eeChat.Server.Messages;

[ApiController]
[Authorize]
[Route("api/v1/messages")]
public sealed class MessagesController(MessageService messages, IRequestRateLimiter limiter) : ControllerBase
{
    /// <summary>Sends one envelope per destination device; 409/410 when the device set is not current.</summary>
    [HttpPut("{userId:guid}")]
    public async Task<SendResult> Send(Guid userId, SendMessagesRequest request, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireSendAsync(caller, userId, cancellationToken);
        return await messages.SendAsync(caller.UserId, caller.DeviceId, userId, request.ToDomain(), cancellationToken);
    }

    /// <summary>The caller's mailbox in delivery order, for clients that poll instead of holding a hub connection.</summary>
    [HttpGet]
    public async Task<MailboxResponse> List([FromQuery] int? limit, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.ReadsPerAccount, caller, cancellationToken);
        var (envelopes, more) = await messages.ListAsync(caller.UserId, caller.DeviceId, limit, cancellationToken);
        return new MailboxResponse(envelopes, more);
    }

    /// <summary>Deletes delivered envelopes from the caller's mailbox; ids of other devices' envelopes are ignored.</summary>
    [HttpPost("ack")]
    public async Task<IActionResult> Ack(AckRequest request, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForDeviceAsync(RateLimitBucket.AcksPerDevice, caller, cancellationToken);
        await messages.AckAsync(caller.UserId, caller.DeviceId, request.Ids, cancellationToken);
        return NoContent();
    }

    /// <summary>Each destination device's status of a message the caller sent.</summary>
    [HttpGet("{messageId:guid}/status")]
    public async Task<MessageStatusResponse> Status(Guid messageId, CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.ReadsPerAccount, caller, cancellationToken);
        var statuses = await messages.StatusAsync(caller.UserId, messageId, cancellationToken);
        return new MessageStatusResponse(messageId, statuses);
    }
}
