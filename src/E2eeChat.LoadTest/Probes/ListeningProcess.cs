using System.Globalization;

namespace E2eeChat.LoadTest.Probes;

/// <summary>Finds the local process listening on a TCP port, through /proc (Linux): the socket's inode, then the process holding it.</summary>
internal static class ListeningProcess
{
    private const string Listen = "0A";

    public static int? Find(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in (string[])["/proc/net/tcp", "/proc/net/tcp6"])
        {
            AddListeningInodes(table, port, inodes);
        }
        if (inodes.Count == 0)
        {
            return null;
        }
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && HoldsAny(directory, inodes))
            {
                return pid;
            }
        }
        return null;
    }

    private static void AddListeningInodes(string table, int port, HashSet<string> inodes)
    {
        if (!File.Exists(table))
        {
            return;
        }
        var portHex = port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (var line in File.ReadLines(table).Skip(1))
        {
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 9 && fields[3] == Listen && fields[1].EndsWith(":" + portHex, StringComparison.Ordinal))
            {
                inodes.Add($"socket:[{fields[9]}]");
            }
        }
    }

    private static bool HoldsAny(string processDirectory, HashSet<string> socketLinks)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(processDirectory, "fd")))
            {
                if (new FileInfo(fd).LinkTarget is { } target && socketLinks.Contains(target))
                {
                    return true;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Another user's process, or one that just exited.
        }
        return false;
    }
}
