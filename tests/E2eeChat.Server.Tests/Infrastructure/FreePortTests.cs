using System.Globalization;
using System.Net;
using System.Net.Sockets;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>The ports the fixtures start servers on: free, never handed out twice, and outside the ephemeral range.</summary>
public sealed class FreePortTests
{
    [Fact]
    public void Ports_are_free_distinct_and_below_the_ephemeral_range()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        var ports = Enumerable.Range(0, 200).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 20000, ephemeralStart - 1));
        foreach (var port in ports.Take(20))
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }
}
