using System.Globalization;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Server.Attachments;

/// <summary>The tus 1.0 resumable-upload protocol's headers and checks (core, creation and expiration).</summary>
internal static class TusProtocol
{
    public const string Version = "1.0.0";
    public const string Extensions = "creation,expiration";
    public const string OffsetContentType = "application/offset+octet-stream";

    public const string ResumableHeader = "Tus-Resumable";
    public const string VersionHeader = "Tus-Version";
    public const string ExtensionHeader = "Tus-Extension";
    public const string MaxSizeHeader = "Tus-Max-Size";
    public const string UploadLengthHeader = "Upload-Length";
    public const string UploadOffsetHeader = "Upload-Offset";
    public const string UploadExpiresHeader = "Upload-Expires";
    public const string UploadDeferLengthHeader = "Upload-Defer-Length";
    public const string UploadMetadataHeader = "Upload-Metadata";

    /// <summary>
    /// The attachment routes: <c>X-HTTP-Method-Override</c> on POST is honoured (before routing), and every
    /// response, errors included, says <c>Tus-Resumable</c>; a 412 also lists the versions spoken.
    /// </summary>
    public static void UseTusProtocol(this IApplicationBuilder app, PathString path)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(path), branch =>
        {
            branch.UseHttpMethodOverride();
            branch.Use((context, next) =>
            {
                var response = context.Response;
                response.OnStarting(() =>
                {
                    response.Headers[ResumableHeader] = Version;
                    if (response.StatusCode == StatusCodes.Status412PreconditionFailed)
                    {
                        response.Headers[VersionHeader] = Version;
                    }
                    return Task.CompletedTask;
                });
                return next(context);
            });
        });
    }

    /// <summary>Every request but OPTIONS must speak our version; otherwise nothing is processed (412).</summary>
    public static void RequireVersion(HttpRequest request)
    {
        if (request.Headers[ResumableHeader] != Version)
        {
            throw new DomainException(ErrorKind.PreconditionFailed, ErrorCodes.UnsupportedTusVersion,
                $"Send {ResumableHeader}: {Version}; it is the only tus version this server speaks.");
        }
    }

    /// <summary>A header that must hold one non-negative integer.</summary>
    public static long NonNegative(HttpRequest request, string header, string code)
    {
        var values = request.Headers[header];
        return values.Count == 1 && long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw DomainException.BadRequest(code, $"{header} must be one non-negative integer.");
    }

    /// <summary>RFC 9110's HTTP-date, as <c>Upload-Expires</c> needs.</summary>
    public static string HttpDate(DateTimeOffset time) => time.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture);
}
