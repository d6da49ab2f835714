namespace E2eeChat.LoadTest.Cli;

/// <summary>The command-line spelling of each choice, used both to parse options and to report them.</summary>
internal static class OptionNames
{
    public static readonly IReadOnlyList<(string Name, Scenario Value)> Scenarios =
    [
        ("pairs", Scenario.Pairs), ("room", Scenario.Room), ("connections", Scenario.Connections), ("drain", Scenario.Drain),
        ("nonreaders", Scenario.NonReaders),
    ];

    public static readonly IReadOnlyList<(string Name, SendLoop Value)> ClosedLoops =
    [
        ("send", SendLoop.ClosedOnSend), ("delivery", SendLoop.ClosedOnDelivery),
    ];

    public static readonly IReadOnlyList<(string Name, Fault Value)> Faults =
    [
        ("none", Fault.None), ("drop-acks-then-disconnect", Fault.DropAcksThenDisconnect),
        ("drop-acks-then-reconnect", Fault.DropAcksThenReconnect),
    ];

    public static readonly IReadOnlyList<(string Name, WireProtocol Value)> Protocols =
    [
        ("json", WireProtocol.Json), ("messagepack", WireProtocol.MessagePack),
    ];

    public static readonly IReadOnlyList<(string Name, ProgressMode Value)> ProgressModes =
    [
        ("auto", ProgressMode.Auto), ("live", ProgressMode.Live), ("plain", ProgressMode.Plain), ("none", ProgressMode.None),
    ];

    public static string Of(SendLoop loop) => loop == SendLoop.Rate ? "rate" : "closed-" + NameOf(ClosedLoops, loop);

    public static string Of(Fault fault) => NameOf(Faults, fault);

    public static string Of(Scenario scenario) => NameOf(Scenarios, scenario);

    public static string Of(WireProtocol protocol) => NameOf(Protocols, protocol);

    /// <summary>The value spelled <paramref name="name"/>; null when there is none.</summary>
    public static T? Parse<T>(IReadOnlyList<(string Name, T Value)> choices, string name)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(choices);
        foreach (var (choice, value) in choices)
        {
            if (string.Equals(choice, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return null;
    }

    public static string List<T>(IReadOnlyList<(string Name, T Value)> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        var names = new string[choices.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = choices[i].Name;
        }
        return string.Join('|', names);
    }

    private static string NameOf<T>(IReadOnlyList<(string Name, T Value)> choices, T value)
        where T : struct
    {
        foreach (var (name, choice) in choices)
        {
            if (EqualityComparer<T>.Default.Equals(choice, value))
            {
                return name;
            }
        }
        return value.ToString()!;
    }
}
