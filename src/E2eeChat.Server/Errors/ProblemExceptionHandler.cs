using E2eeChat.Domain.Errors;
using E2eeChat.Server.Metrics;
using Microsoft.AspNetCore.Diagnostics;

namespace E2eeChat.Server.Errors;

/// <summary>Maps every exception that escapes an endpoint to ProblemDetails; never leaks internals.</summary>
internal sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger, E2eeChatMetrics metrics) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            DomainException domain => ProblemResponses.From(domain),
            BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                ProblemResponses.Create(bad.StatusCode, ErrorCodes.PayloadTooLarge, "The request body is too large."),
            BadHttpRequestException bad => ProblemResponses.Create(bad.StatusCode, ProblemResponses.CodeFor(bad.StatusCode), bad.Message),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => null,
            _ => StoreFailures.AsRefusal(exception) is { } unavailable ? ProblemResponses.From(unavailable) : null,
        };
        if (problem is null)
        {
            if (httpContext.RequestAborted.IsCancellationRequested)
            {
                return true;
            }
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            problem = ProblemResponses.Create(StatusCodes.Status500InternalServerError, ErrorCodes.InternalError,
                "The server failed to handle the request. Nothing was changed if the request was a write.");
        }
        else
        {
            metrics.Refused(ProblemResponses.CodeOf(problem));
        }
        await ProblemResponses.WriteAsync(httpContext, problem).ConfigureAwait(false);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
