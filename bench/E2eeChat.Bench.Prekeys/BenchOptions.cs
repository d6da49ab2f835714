using System.Globalization;

namespace E2eeChat.Bench.Prekeys;

/// <summary>
/// Command-line settings: <c>--seconds 10 --clients 32 --targets 200 --rounds 3 --warmup 15</c>, and
/// <c>--npgsql "Max Auto Prepare=20"</c> to append settings to the server's connection string.
/// </summary>
internal sealed record BenchOptions(int Seconds, int Clients, int Targets, int Rounds, int WarmupSeconds, string Npgsql)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(Seconds: 10, Clients: 32, Targets: 200, Rounds: 3, WarmupSeconds: 15, Npgsql: "");
        for (var i = 0; i < args.Length; i += 2)
        {
            if (args[i] == "--npgsql" && i + 1 < args.Length)
            {
                options = options with { Npgsql = args[i + 1] };
                continue;
            }
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                throw new ArgumentException($"{args[i]} needs a positive integer. Usage: {Usage}");
            }
            options = args[i] switch
            {
                "--seconds" => options with { Seconds = value },
                "--clients" => options with { Clients = value },
                "--targets" => options with { Targets = value },
                "--rounds" => options with { Rounds = value },
                "--warmup" => options with { WarmupSeconds = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Usage: {Usage}"),
            };
        }
        return options;
    }

    public const string Usage = "[--seconds 10] [--clients 32] [--targets 200] [--rounds 3] [--warmup 15] [--npgsql \"Max Auto Prepare=20\"]";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Clients} concurrent clients, {Targets} target devices with {KeyUpload.OneTimeKeys} one-time EC and Kyber keys each (refilled every round), {Rounds} rounds of {Seconds} s after a {WarmupSeconds} s warm-up.{(Npgsql.Length > 0 ? $" Npgsql: {Npgsql}." : "")}");
}
