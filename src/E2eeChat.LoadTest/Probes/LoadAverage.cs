namespace E2eeChat.LoadTest.Probes;

/// <summary>The machine's 1, 5 and 15 minute load averages, recorded with each run: the numbers mean little without them on a shared machine.</summary>
internal static class LoadAverage
{
    public static string? Read()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return fields.Length >= 3 ? $"{fields[0]} {fields[1]} {fields[2]}" : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
