using E2eeChat.Domain.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace E2eeChat.Server.Errors;

/// <summary>Wires the error mapper into MVC model binding, status pages and the exception handler.</summary>
internal static class ErrorHandlingSetup
{
    public static IServiceCollection AddProblemResponses(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Framework-made problems (unknown route, missing token) get a code like ours do.
            var problem = context.ProblemDetails;
            if (!problem.Extensions.ContainsKey("code"))
            {
                problem.Extensions["code"] = ProblemResponses.CodeFor(problem.Status ?? context.HttpContext.Response.StatusCode);
            }
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, AnyAcceptProblemWriter>());
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<MvcOptions>(JsonOnlyInput.Configure);
        services.Configure<ApiBehaviorOptions>(options => options.InvalidModelStateResponseFactory = context =>
        {
            var errors = context.ModelState
                .Where(entry => entry.Value is { Errors.Count: > 0 })
                .ToDictionary(entry => entry.Key, entry => entry.Value!.Errors.Select(e => e.ErrorMessage).ToArray());
            var malformed = errors.Keys.Any(key => key.StartsWith('$'));
            var detail = string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
            var problem = ProblemResponses.Create(StatusCodes.Status400BadRequest,
                malformed ? ErrorCodes.MalformedJson : ErrorCodes.InvalidRequest,
                malformed ? $"The request body is not valid JSON for this endpoint. {detail}" : $"The request is invalid. {detail}");
            problem.Extensions["errors"] = errors;
            return new BadRequestObjectResult(problem) { ContentTypes = { "application/problem+json" } };
        });
        return services;
    }
}
