using System.Text.Json;
using E2eeChat.Domain.Errors;
using E2eeChat.Server.Errors;
using E2eeChat.Server.Metrics;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Hub;

/// <summary>
/// The hub's side of the one error mapper: a refused request becomes a HubException whose
/// message starts with the error code, followed by the detail and any structured fields as JSON.
/// A refusal is the client's mistake and logs one Debug line with its code (any client could
/// otherwise flood the error log); anything unexpected logs at Error with its exception.
/// </summary>
internal sealed partial class HubErrorFilter(ILogger<HubErrorFilter> logger, E2eeChatMetrics metrics) : IHubFilter
{
    /// <summary>
    /// SignalR's dispatcher logs every exception a hub method throws, refusals included, at Error with the stack
    /// (its only message above Debug); this filter logs each at the level it deserves instead.
    /// </summary>
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext,
        Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            HubArguments.CheckRequired(invocationContext);
            return await next(invocationContext).ConfigureAwait(false);
        }
        catch (DomainException exception)
        {
            LogRefused(logger, invocationContext.HubMethodName, exception.Code);
            metrics.Refused(exception.Code);
            throw new HubException(Describe(exception));
        }
        catch (OperationCanceledException) when (invocationContext.Context.ConnectionAborted.IsCancellationRequested)
        {
            // The client left mid-call: nobody is waiting for the answer.
            throw;
        }
        catch (Exception exception) when (StoreFailures.AsRefusal(exception) is { } unavailable)
        {
            LogRefused(logger, invocationContext.HubMethodName, unavailable.Code);
            throw new HubException(Describe(unavailable));
        }
        catch (Exception exception) when (exception is not HubException)
        {
            LogFailed(logger, exception, invocationContext.HubMethodName);
            throw;
        }
    }

    /// <summary>Leaves the dispatcher's own line out, unless an operator names its category in configuration.</summary>
    public static void SilenceDispatcherErrors(LoggerFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // First in the list: a configured rule for the same category comes later and wins.
        options.Rules.Insert(0, new LoggerFilterRule(null, DispatcherCategory, LogLevel.Critical, null));
    }

    public static string Describe(DomainException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = $"{exception.Code}: {exception.Message}";
        return exception.Extensions.Count == 0
            ? message
            : $"{message} {JsonSerializer.Serialize(exception.Extensions, JsonSerializerOptions.Web)}";
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hub call {Method} refused: {Code}")]
    private static partial void LogRefused(ILogger logger, string method, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub call {Method} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method);
}
