using E2eeChat.Domain.Common;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace E2eeChat.Server.Hosting;

/// <summary>
/// Bound from the <c>ForwardedHeaders</c> section: the proxies (nginx) whose <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> are believed. With none configured the headers are ignored, from loopback too:
/// otherwise any client could name its own address, and per-address limits would charge whomever it named.
/// </summary>
public sealed class TrustedProxyOptions : IValidatedOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Proxy addresses, e.g. <c>127.0.0.1</c> for nginx on the same machine.</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>172.28.0.0/16</c>.</summary>
    public IList<string> KnownNetworks { get; } = [];

    /// <summary>Fails start-up with the offending entry when one does not parse.</summary>
    public void Validate()
    {
        _ = Proxies().ToList();
        _ = Networks().ToList();
    }

    public void ApplyTo(ForwardedHeadersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in Proxies())
        {
            options.KnownProxies.Add(proxy);
        }
        foreach (var network in Networks())
        {
            options.KnownIPNetworks.Add(network);
        }
        // The middleware trusts every sender when both lists are empty: with no proxy configured, read no header.
        options.ForwardedHeaders = options.KnownProxies.Count + options.KnownIPNetworks.Count == 0
            ? ForwardedHeaders.None
            : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
    }

    private IEnumerable<IPAddress> Proxies() => KnownProxies.Select(proxy => IPAddress.TryParse(proxy, out var address)
        ? address
        : throw new InvalidOperationException($"{SectionName}:KnownProxies holds '{proxy}', which is not an IP address."));

    private IEnumerable<System.Net.IPNetwork> Networks() => KnownNetworks.Select(network =>
        System.Net.IPNetwork.TryParse(network, out var parsed)
            ? parsed
            : throw new InvalidOperationException(
                $"{SectionName}:KnownNetworks holds '{network}', which is not a network in CIDR notation (10.0.0.0/8)."));
}
