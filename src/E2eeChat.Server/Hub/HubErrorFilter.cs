using System.Text.Json;
using E2eeChat.Domain.Errors;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Hub;

/// <summary>
/// The hub's side of the one error mapper: a refused request becomes a HubException whose
/// message starts with the error code, followed by the detail and any structured fields as JSON.
/// </summary>
internal sealed class HubErrorFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext,
        Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(invocationContext).ConfigureAwait(false);
        }
        catch (DomainException exception)
        {
            throw new HubException(Describe(exception));
        }
    }

    public static string Describe(DomainException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = $"{exception.Code}: {exception.Message}";
        return exception.Extensions.Count == 0
            ? message
            : $"{message} {JsonSerializer.Serialize(exception.Extensions, JsonSerializerOptions.Web)}";
    }
}
