using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace E2eeChat.Scaleout;

/// <summary>Which of the registered hub protocols a hub speaks: each invocation is serialized once with each of them.</summary>
internal static class HubProtocols
{
    /// <param name="supportedNames">The hub's <see cref="HubOptions.SupportedProtocols"/>; null means every registered one.</param>
    public static IHubProtocol[] Supported(IHubProtocolResolver resolver, IList<string>? supportedNames)
    {
        var supported = new List<IHubProtocol>(resolver.AllProtocols.Count);
        foreach (var protocol in resolver.AllProtocols)
        {
            if (supportedNames is null || Contains(supportedNames, protocol.Name))
            {
                supported.Add(protocol);
            }
        }
        return [.. supported];
    }

    public static IHubProtocol? Find(IHubProtocol[] protocols, string name)
    {
        foreach (var protocol in protocols)
        {
            if (string.Equals(protocol.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return protocol;
            }
        }
        return null;
    }

    private static bool Contains(IList<string> names, string name)
    {
        foreach (var candidate in names)
        {
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
