using System.Globalization;

namespace E2eeChat.Bench.RoomFanout;

/// <summary>The command line, with its defaults: <c>--runs 5 --repeats 100 --warmup 50 --users 50 --devices 2 --bytes 1024</c>.</summary>
internal sealed record BenchOptions(int Runs, int Repeats, int Warmup, int Users, int Devices, int Bytes)
{
    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["--runs"] = 5,
            ["--repeats"] = 100,
            ["--warmup"] = 50,
            ["--users"] = 50,
            ["--devices"] = 2,
            ["--bytes"] = 1024,
        };
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!values.ContainsKey(args[i]) || i + 1 >= args.Length
                || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                throw new ArgumentException(
                    $"Unknown option or value at '{args[i]}'. Options (positive integers): {string.Join(", ", values.Keys)}.");
            }
            values[args[i]] = value;
        }
        return new BenchOptions(values["--runs"], values["--repeats"], values["--warmup"], values["--users"], values["--devices"],
            values["--bytes"]);
    }
}
