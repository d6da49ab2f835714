using System.Globalization;

namespace E2eeChat.Bench.Relay;

internal sealed record DriverOptions(Uri Url, int Pairs, int Size, TimeSpan Duration, TimeSpan Warmup, string Protocol,
    int Connections, int? ServerPid)
{
    public static DriverOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }
        var protocol = values.GetValueOrDefault("protocol", "json");
        if (protocol is not ("json" or "messagepack"))
        {
            throw new ArgumentException("--protocol is json or messagepack.");
        }
        return new DriverOptions(
            new Uri(values.GetValueOrDefault("url") ?? throw new ArgumentException("--url is required.")),
            int.Parse(values.GetValueOrDefault("pairs", "50"), CultureInfo.InvariantCulture),
            int.Parse(values.GetValueOrDefault("size", "1024"), CultureInfo.InvariantCulture),
            Seconds(values.GetValueOrDefault("duration", "20s")),
            Seconds(values.GetValueOrDefault("warmup", "5s")),
            protocol,
            int.Parse(values.GetValueOrDefault("connections", "18000"), CultureInfo.InvariantCulture),
            values.TryGetValue("server-pid", out var pid) ? int.Parse(pid, CultureInfo.InvariantCulture) : null);
    }

    private static TimeSpan Seconds(string text) =>
        TimeSpan.FromSeconds(double.Parse(text.TrimEnd('s'), CultureInfo.InvariantCulture));
}
