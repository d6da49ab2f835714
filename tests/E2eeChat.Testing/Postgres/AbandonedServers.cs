using System.Diagnostics;
using System.Globalization;

namespace E2eeChat.Testing.Postgres;

/// <summary>
/// Servers that a test process left behind when it was killed before its exit handler ran (a test host that runs over
/// its shutdown time): each server directory names its owner's process id, and a directory whose owner is gone has its
/// postmaster killed and is removed, so that repeated runs on one machine do not fill its disk.
/// </summary>
internal static class AbandonedServers
{
    public const string DirectoryPrefix = "e2eechat-pg";
    private const string OwnerFile = "owner.pid";

    // A directory without an owner file is being created right now, or was made before owner files existed.
    private static readonly TimeSpan UnownedGrace = TimeSpan.FromHours(1);

    public static void MarkOwned(string directory) =>
        File.WriteAllText(Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

    public static void Remove()
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), DirectoryPrefix + "-*"))
        {
            if (IsOwned(directory))
            {
                continue;
            }
            KillPostmaster(Path.Combine(directory, "data", "postmaster.pid"));
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Another sweep got there first, or a backend is still exiting: the next run removes it.
            }
        }
    }

    private static bool IsOwned(string directory)
    {
        var ownerFile = Path.Combine(directory, OwnerFile);
        if (!File.Exists(ownerFile))
        {
            return DateTime.UtcNow - Directory.GetCreationTimeUtc(directory) < UnownedGrace;
        }
        return int.TryParse(File.ReadAllText(ownerFile), CultureInfo.InvariantCulture, out var owner) && IsRunning(owner);
    }

    private static void KillPostmaster(string pidFile)
    {
        if (!File.Exists(pidFile)
            || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), CultureInfo.InvariantCulture, out var pid)
            || !IsRunning(pid))
        {
            return;
        }
        try
        {
            using var postmaster = Process.GetProcessById(pid);
            postmaster.Kill(entireProcessTree: true);
            postmaster.WaitForExit(10_000);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    private static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
}
