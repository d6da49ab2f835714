using System.Globalization;

namespace E2eeChat.LoadTest.Cli;

/// <summary>Turns the command line into <see cref="LoadOptions"/>, or a <see cref="UsageException"/> saying what is wrong.</summary>
internal static class OptionsParser
{
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0)
        {
            throw new UsageException("Name a scenario.");
        }
        var options = new LoadOptions
        {
            Scenario = OptionNames.Parse(OptionNames.Scenarios, args[0])
                ?? throw new UsageException($"Unknown scenario '{args[0]}'; use {OptionNames.List(OptionNames.Scenarios)}."),
        };
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Count)
            {
                throw new UsageException($"{name} needs a value.");
            }
            Apply(options, name, args[++i]);
        }
        Validate(options);
        return options;
    }

    private static void Apply(LoadOptions options, string name, string value)
    {
        switch (name)
        {
            case "--url":
                options.Url = Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                    ? url
                    : throw new UsageException($"--url must be an absolute http or https URL, not '{value}'.");
                break;
            case "--protocol":
                options.Protocol = OptionNames.Parse(OptionNames.Protocols, value)
                    ?? throw new UsageException($"--protocol takes {OptionNames.List(OptionNames.Protocols)}, not '{value}'.");
                break;
            case "--pairs": options.Pairs = Int(name, value, 1); break;
            case "--members": options.Members = Int(name, value, 2); break;
            case "--senders": options.Senders = Int(name, value, 1); break;
            case "--connections": options.Connections = Int(name, value, 1); break;
            case "--envelopes": options.Envelopes = Int(name, value, 1); break;
            case "--devices": options.Devices = Int(name, value, 1); break;
            case "--size": options.MessageSize = Int(name, value, Payload.MessagePayload.HeaderSize); break;
            case "--parallelism": options.Parallelism = Int(name, value, 1); break;
            case "--max-in-flight": options.MaxInFlight = Int(name, value, 1); break;
            case "--rate":
                options.Rate = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0
                    ? rate
                    : throw new UsageException($"--rate must be a positive number of messages per second, not '{value}'.");
                options.Loop = SendLoop.Rate;
                break;
            case "--closed-loop":
                options.Loop = OptionNames.Parse(OptionNames.ClosedLoops, value)
                    ?? throw new UsageException($"--closed-loop takes {OptionNames.List(OptionNames.ClosedLoops)}, not '{value}'.");
                break;
            case "--duration": options.Duration = Time(name, value); break;
            case "--warmup": options.Warmup = Time(name, value, allowZero: true); break;
            case "--ramp-up": options.RampUp = Time(name, value, allowZero: true); break;
            case "--settle": options.Settle = Time(name, value); break;
            case "--progress-interval": options.ProgressInterval = Time(name, value); break;
            case "--max-loss": options.MaxLoss = Int(name, value, 0); break;
            case "--max-errors": options.MaxErrors = Int(name, value, 0); break;
            case "--max-duplicates": options.MaxDuplicates = Int(name, value, 0); break;
            case "--out": options.OutputDirectory = value; break;
            case "--label": options.Label = value; break;
            case "--server-pid": options.ServerPid = Int(name, value, 1); break;
            case "--cpu-of": options.CpuOf.Add(Watched(name, value)); break;
            case "--progress":
                options.Progress = OptionNames.Parse(OptionNames.ProgressModes, value)
                    ?? throw new UsageException($"--progress takes {OptionNames.List(OptionNames.ProgressModes)}, not '{value}'.");
                break;
            case "--fault":
                options.Fault = OptionNames.Parse(OptionNames.Faults, value)
                    ?? throw new UsageException($"--fault takes {OptionNames.List(OptionNames.Faults)}, not '{value}'.");
                break;
            default:
                throw new UsageException($"Unknown option '{name}'.");
        }
    }

    private static void Validate(LoadOptions options)
    {
        if (options.Devices > 6)
        {
            throw new UsageException("--devices is at most 6, the server's default device limit per account.");
        }
        if (options.Scenario == Scenario.Room && options.Senders > options.Members)
        {
            throw new UsageException("--senders cannot exceed --members.");
        }
        if (options.Fault != Fault.None && options.Scenario is not (Scenario.Pairs or Scenario.Room))
        {
            throw new UsageException("--fault applies to the pairs and room scenarios.");
        }
        if (options.Fault != Fault.None && options.Loop == SendLoop.ClosedOnDelivery)
        {
            throw new UsageException("--fault with --closed-loop delivery would stall every sender on the faulty device; use --rate.");
        }
    }

    /// <summary>NAME=PID, NAME a word that can be a JSON key in reports and a path for <c>median</c>.</summary>
    private static Probes.WatchedProcess Watched(string name, string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        var label = equals > 0 ? value[..equals] : "";
        if (label.Length == 0 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new UsageException($"{name} takes NAME=PID with NAME made of letters, digits, '_' and '-', not '{value}'.");
        }
        return new Probes.WatchedProcess(label, Int(name, value[(equals + 1)..], 1));
    }

    private static int Int(string name, string value, int minimum) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= minimum
            ? number
            : throw new UsageException($"{name} must be a whole number of at least {minimum}, not '{value}'.");

    /// <summary>500ms, 30s, 2m, 1h, or a bare number of seconds.</summary>
    public static TimeSpan Time(string name, string value, bool allowZero = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        var (number, unit) = value.EndsWith("ms", StringComparison.Ordinal) ? (value[..^2], 0.001)
            : value.EndsWith('s') ? (value[..^1], 1.0)
            : value.EndsWith('m') ? (value[..^1], 60.0)
            : value.EndsWith('h') ? (value[..^1], 3600.0)
            : (value, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
            || amount < 0 || (amount == 0 && !allowZero) || double.IsInfinity(amount))
        {
            throw new UsageException($"{name} must be a {(allowZero ? "" : "positive ")}time such as 500ms, 30s or 2m, not '{value}'.");
        }
        return TimeSpan.FromSeconds(amount * unit);
    }
}
