using System.Collections.Concurrent;
using System.Reflection;
using E2eeChat.Domain.Errors;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Hub;

/// <summary>
/// A hub argument the method declares non-nullable but the client sent as null is refused with
/// <c>invalid_request</c>, before the method runs; REST gets the same from model binding.
/// </summary>
internal static class HubArguments
{
    private static readonly ConcurrentDictionary<MethodInfo, string?[]> RequiredByMethod = new();

    public static void CheckRequired(HubInvocationContext context)
    {
        var required = RequiredByMethod.GetOrAdd(context.HubMethod, RequiredParameters);
        var arguments = context.HubMethodArguments;
        for (var i = 0; i < required.Length && i < arguments.Count; i++)
        {
            if (required[i] is { } name && arguments[i] is null)
            {
                throw DomainException.BadRequest(ErrorCodes.InvalidRequest, $"{name} is required.");
            }
        }
    }

    /// <summary>Per parameter, its name when null is not allowed, else null.</summary>
    private static string?[] RequiredParameters(MethodInfo method)
    {
        var nullability = new NullabilityInfoContext();
        return [.. method.GetParameters().Select(parameter =>
            !parameter.ParameterType.IsValueType && nullability.Create(parameter).ReadState == NullabilityState.NotNull
                ? parameter.Name
                : null)];
    }
}
