using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace E2eeChat.Server.Errors;

/// <summary>
/// The last problem writer, for clients whose Accept header names no JSON type (text/html, application/xml):
/// the API speaks only JSON, so they get application/problem+json too. Without it, writing the problem threw
/// inside the exception handler and every refusal to such a client became a 500.
/// </summary>
internal sealed class AnyAcceptProblemWriter(IOptions<ProblemDetailsOptions> problems, IOptions<JsonOptions> json)
    : IProblemDetailsWriter
{
    private const string ContentType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        problems.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(context.ProblemDetails, json.Value.SerializerOptions,
            ContentType, context.HttpContext.RequestAborted));
    }
}
