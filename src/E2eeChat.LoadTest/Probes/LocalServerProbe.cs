using System.Globalization;
using System.Net;

namespace E2eeChat.LoadTest.Probes;

/// <summary>Reads the resident memory (VmRSS) and CPU time of the server process, when it runs on this machine.</summary>
internal sealed class LocalServerProbe
{
    private LocalServerProbe(int processId)
    {
        ProcessId = processId;
    }

    public int ProcessId { get; }

    /// <summary>The process name (/proc/PID/comm): says whether the port led to the server or to a proxy in front of it.</summary>
    public string? Command => TryRead($"/proc/{ProcessId}/comm")?.Trim();

    /// <summary>
    /// The process given, or else the one listening on the URL's port when the host is this machine and
    /// it is a .NET process (the server, not nginx in front of a cluster); null otherwise.
    /// </summary>
    public static LocalServerProbe? Find(int? processId, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (processId is { } pid)
        {
            return new LocalServerProbe(pid);
        }
        if (!OperatingSystem.IsLinux() || !IsLocal(url.Host))
        {
            return null;
        }
        return ListeningProcess.Find(url.Port) is { } found && new LocalServerProbe(found) is { Command: "dotnet" } probe
            ? probe
            : null;
    }

    /// <summary>VmRSS in KiB; null when the process cannot be read.</summary>
    public long? ReadRssKiB()
    {
        if (TryRead($"/proc/{ProcessId}/status") is not { } status)
        {
            return null;
        }
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    /// <summary>User and system CPU time the process has used; null when it cannot be read.</summary>
    public TimeSpan? ReadCpuTime() => TryRead($"/proc/{ProcessId}/stat") is { } stat ? MachineCpu.ProcessCpuTime(stat) : null;

    private static bool IsLocal(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
