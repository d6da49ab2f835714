using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Errors;
using E2eeChat.Domain.Messages;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Limits;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace E2eeChat.Server.Messages;

[ApiController]
[Authorize]
[Route("api/v1/messages")]
public sealed class MessagesController(MessageService messages, MessagingOptions options, IRequestRateLimiter limiter) : ControllerBase
{
    /// <summary>The header that admits a sealed-sender send without authentication (Signal-Server's name).</summary>
    public const string UnidentifiedAccessHeader = "Unidentified-Access-Key";

    /// <summary>libsignal's multi-recipient sealed-sender message, as Signal-Server takes it.</summary>
    public const string MultiRecipientContentType = "application/vnd.signal-messenger.mrm";

    /// <summary>
    /// Sends one envelope per destination device; 409/410 when the device set is not current. Without Authorization and
    /// with <c>Unidentified-Access-Key</c> (the destination's access key), a sealed-sender send: type-6 envelopes only,
    /// stored and delivered without a source.
    /// </summary>
    [AllowAnonymous]
    [HttpPut("{userId:guid}")]
    public async Task<ActionResult<SendResult>> Send(Guid userId, SendMessagesRequest request, CancellationToken cancellationToken)
    {
        if (UnidentifiedAccessKey() is { } accessKey)
        {
            await limiter.AcquireUnidentifiedSendAsync(HttpContext, [userId], cancellationToken);
            return await messages.SendUnidentifiedAsync(userId, accessKey, request.ToDomain(), cancellationToken);
        }
        if (Caller.From(User) is not { } caller)
        {
            return Challenge();
        }
        await limiter.AcquireSendAsync(caller, userId, cancellationToken);
        return await messages.SendAsync(caller.UserId, caller.DeviceId, userId, request.ToDomain(), cancellationToken);
    }

    /// <summary>
    /// Delivers libsignal's multi-recipient sealed-sender message (the bytes of <c>sealedSenderMultiRecipientEncrypt</c>,
    /// Content-Type <c>application/vnd.signal-messenger.mrm</c>) without authentication: <c>Unidentified-Access-Key</c> is
    /// the XOR of the recipients' access keys, <c>ts</c> the message timestamp. Each addressed device gets its own part;
    /// 409/410 per recipient when a device set is not current; all or nothing.
    /// </summary>
    [AllowAnonymous]
    [HttpPut("multi_recipient")]
    public async Task<SendResult> SendMultiRecipient([FromQuery] long? ts, [FromQuery] string? messageId, [FromQuery] bool? online,
        [FromQuery] bool? urgent, CancellationToken cancellationToken)
    {
        var accessKey = UnidentifiedAccessKey() ?? throw UnidentifiedAccess.Denied();
        if (!MediaTypeHeaderValue.TryParse(Request.ContentType, out var contentType)
            || !string.Equals(contentType.MediaType.Value, MultiRecipientContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new DomainException(ErrorKind.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                $"A multi-recipient message is sent as Content-Type: {MultiRecipientContentType}.");
        }
        var body = await MultiRecipientBody.ReadAsync(Request, options.MaxRequestBytes, cancellationToken);
        var message = MultiRecipientMessage.Parse(body);
        var recipients = new Guid[message.Recipients.Count];
        for (var i = 0; i < recipients.Length; i++)
        {
            recipients[i] = message.Recipients[i].UserId;
        }
        await limiter.AcquireUnidentifiedSendAsync(HttpContext, recipients, cancellationToken);
        return await messages.SendMultiRecipientAsync(message, accessKey,
            new SendMessages(null, ts, messageId, online, null, urgent), cancellationToken);
    }

    /// <summary>The access key header, or null when absent; with Authorization too, 400: a send is one or the other.</summary>
    private string? UnidentifiedAccessKey()
    {
        if (!Request.Headers.TryGetValue(UnidentifiedAccessHeader, out var values))
        {
            return null;
        }
        if (Request.Headers.ContainsKey(HeaderNames.Authorization))
        {
            throw DomainException.BadRequest(ErrorCodes.ConflictingAuthentication,
                $"Send either Authorization (an identified send) or {UnidentifiedAccessHeader} (a sealed-sender send), not both.");
        }
        return values.Count == 1 ? values[0] : string.Empty;
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
