using E2eeChat.Domain.Attachments;
using E2eeChat.Domain.Errors;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Errors;
using E2eeChat.Server.Limits;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace E2eeChat.Server.Attachments;

/// <summary>
/// Attachments: opaque ciphertext uploaded with tus 1.0 (core, creation, expiration) and downloaded with Range.
/// Every request needs a device's access token; only the uploader may write to or inspect an unfinished upload.
/// </summary>
[ApiController]
[Authorize]
[Route(Path)]
public sealed class AttachmentsController(AttachmentService attachments, AttachmentOptions options, IRequestRateLimiter limiter)
    : ControllerBase
{
    public const string Path = "api/v1/attachments";

    /// <summary>What the server speaks: tus version, extensions and the largest upload.</summary>
    [HttpOptions]
    [HttpOptions("{id}")]
    public IActionResult Describe()
    {
        Response.Headers[TusProtocol.VersionHeader] = TusProtocol.Version;
        Response.Headers[TusProtocol.ExtensionHeader] = TusProtocol.Extensions;
        Response.Headers[TusProtocol.MaxSizeHeader] = options.MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return NoContent();
    }

    /// <summary>Creates an empty upload of <c>Upload-Length</c> bytes; 201 with its <c>Location</c>.</summary>
    [HttpPost]
    public async Task<IActionResult> Create(CancellationToken cancellationToken)
    {
        TusProtocol.RequireVersion(Request);
        if (Request.Headers.ContainsKey(TusProtocol.UploadDeferLengthHeader))
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidUploadLength,
                "Upload-Defer-Length is not supported: send Upload-Length (creation-defer-length is not offered).");
        }
        if (Request.Headers.ContainsKey(TusProtocol.UploadMetadataHeader))
        {
            // The server holds ciphertext only; names and types travel inside the end-to-end encrypted message.
            throw DomainException.BadRequest(ErrorCodes.UploadMetadataNotSupported,
                "Upload-Metadata is not accepted: put file names and types in the encrypted message that carries the key.");
        }
        var length = TusProtocol.NonNegative(Request, TusProtocol.UploadLengthHeader, ErrorCodes.InvalidUploadLength);
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.AttachmentUploadsPerAccount, caller, cancellationToken);
        var upload = await attachments.CreateAsync(caller.UserId, length, cancellationToken);
        Response.Headers.Location = $"/{Path}/{upload.Id}";
        WriteExpiry(upload);
        return StatusCode(StatusCodes.Status201Created);
    }

    /// <summary>The upload's offset and length, never cached.</summary>
    [HttpHead("{id}")]
    public async Task<IActionResult> Inspect(string id, CancellationToken cancellationToken)
    {
        TusProtocol.RequireVersion(Request);
        var caller = await LimitAsync(cancellationToken);
        var upload = await attachments.GetUploadAsync(id, caller.UserId, cancellationToken);
        Response.Headers.CacheControl = "no-store";
        Response.Headers[TusProtocol.UploadOffsetHeader] = Number(upload.Offset);
        Response.Headers[TusProtocol.UploadLengthHeader] = Number(upload.Length);
        WriteExpiry(upload);
        return Ok();
    }

    /// <summary>Appends the body at <c>Upload-Offset</c>; 204 with the new offset.</summary>
    [HttpPatch("{id}")]
    public async Task<IActionResult> Append(string id, CancellationToken cancellationToken)
    {
        TusProtocol.RequireVersion(Request);
        if (!string.Equals(Request.ContentType, TusProtocol.OffsetContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new DomainException(ErrorKind.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                $"A PATCH carries Content-Type: {TusProtocol.OffsetContentType}.");
        }
        var offset = TusProtocol.NonNegative(Request, TusProtocol.UploadOffsetHeader, ErrorCodes.InvalidUploadOffset);
        var caller = await LimitAsync(cancellationToken);
        // The host's body limit is sized for message sends; an upload is bounded by its own length instead.
        if (HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = options.MaxBytes;
        }
        // Not cancelled when the client goes away: the body then ends with an error, and the bytes that arrived before
        // it are stored so that the client resumes after them (tus: store as much of the received data as possible).
        Attachment upload;
        try
        {
            upload = await attachments.AppendAsync(id, caller.UserId, offset, Request.ContentLength,
                new IdleTimeoutStream(Request.Body, options.BodyIdleTimeout), CancellationToken.None);
        }
        catch (BodyIdleException)
        {
            // tus: a timed-out request is handled by closing the connection; the client resumes from HEAD.
            HttpContext.Abort();
            return new EmptyResult();
        }
        Response.Headers[TusProtocol.UploadOffsetHeader] = Number(upload.Offset);
        WriteExpiry(upload);
        return NoContent();
    }

    /// <summary>Downloads a finished attachment: any device that knows the id may; single byte ranges give 206.</summary>
    [HttpGet("{id}")]
    public async Task<IActionResult> Download(string id, CancellationToken cancellationToken)
    {
        await LimitAsync(cancellationToken);
        var attachment = await attachments.GetCompleteAsync(id, cancellationToken);
        if (!IsSatisfiable(Request, attachment.Length))
        {
            Response.Headers.ContentRange = new ContentRangeHeaderValue(attachment.Length).ToString();
            await ProblemResponses.WriteAsync(HttpContext, ProblemResponses.Create(StatusCodes.Status416RangeNotSatisfiable,
                ErrorCodes.RangeNotSatisfiable, $"The attachment has {attachment.Length} bytes; no byte of the range is among them."));
            return new EmptyResult();
        }
        var content = await attachments.OpenReadAsync(attachment, cancellationToken);
        Response.Headers.CacheControl = "private, no-cache";
        return File(content, "application/octet-stream", lastModified: null,
            entityTag: new EntityTagHeaderValue($"\"{attachment.Id}\""), enableRangeProcessing: true);
    }

    private async Task<Caller> LimitAsync(CancellationToken cancellationToken)
    {
        var caller = User.Caller();
        await limiter.AcquireForAccountAsync(RateLimitBucket.AttachmentRequestsPerAccount, caller, cancellationToken);
        return caller;
    }

    /// <summary>Upload-Expires while the upload is unfinished (tus expiration).</summary>
    private void WriteExpiry(Attachment upload)
    {
        if (!upload.IsComplete)
        {
            Response.Headers[TusProtocol.UploadExpiresHeader] = TusProtocol.HttpDate(upload.ExpiresAt);
        }
    }

    /// <summary>
    /// False only for one byte range none of whose bytes exist (RFC 9110 §15.5.17); anything else (no Range, several
    /// ranges, a malformed header) is served by the framework's range support, as 206 or as the whole body.
    /// </summary>
    private static bool IsSatisfiable(HttpRequest request, long length)
    {
        if (!RangeHeaderValue.TryParse(request.Headers.Range.ToString(), out var range)
            || !string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count != 1)
        {
            return true;
        }
        var only = range.Ranges.First();
        return only.From is { } from ? from < length : only.To > 0 && length > 0;
    }

    private static string Number(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
