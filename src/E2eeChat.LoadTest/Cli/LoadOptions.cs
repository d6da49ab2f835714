namespace E2eeChat.LoadTest.Cli;

internal enum Scenario
{
    Pairs,
    Room,
    Connections,
    Drain,
    NonReaders,
}

/// <summary>How senders pace themselves.</summary>
internal enum SendLoop
{
    /// <summary>At the offered rate, whatever the answers (open loop).</summary>
    Rate,

    /// <summary>Each send waits for the previous send's result.</summary>
    ClosedOnSend,

    /// <summary>Each send waits until the previous message reached every destination device.</summary>
    ClosedOnDelivery,
}

/// <summary>The hub protocol every connection of the run speaks.</summary>
internal enum WireProtocol
{
    Json,
    MessagePack,
}

internal enum ProgressMode
{
    Auto,
    Live,
    Plain,
    None,
}

internal enum Fault
{
    None,

    /// <summary>One receiving device never acknowledges and disconnects halfway through, for good: its envelopes are lost to the run.</summary>
    DropAcksThenDisconnect,

    /// <summary>As above, but it reconnects at once and acknowledges from then on: the server redelivers what was unacknowledged.</summary>
    DropAcksThenReconnect,
}

/// <summary>Everything a run is told on the command line, with the defaults the usage text states.</summary>
internal sealed class LoadOptions
{
    public Scenario Scenario { get; set; }

    public Uri Url { get; set; } = new("http://127.0.0.1:5080");

    public WireProtocol Protocol { get; set; } = WireProtocol.Json;

    public int Pairs { get; set; } = 10;

    public int Members { get; set; } = 10;

    public int Senders { get; set; } = 1;

    public int Connections { get; set; } = 1000;

    public int Envelopes { get; set; } = 10_000;

    public int Devices { get; set; } = 1;

    public int MessageSize { get; set; } = 256;

    public int Parallelism { get; set; } = 16;

    public SendLoop Loop { get; set; } = SendLoop.Rate;

    /// <summary>Messages per second per sender, for <see cref="SendLoop.Rate"/>.</summary>
    public double Rate { get; set; } = 10;

    public int MaxInFlight { get; set; } = 256;

    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RampUp { get; set; } = TimeSpan.Zero;

    public TimeSpan Settle { get; set; } = TimeSpan.FromSeconds(30);

    public long MaxLoss { get; set; }

    public long MaxErrors { get; set; }

    /// <summary>Null: duplicates are reported but never fail the run (delivery is at least once).</summary>
    public long? MaxDuplicates { get; set; }

    public string? OutputDirectory { get; set; }

    public string? Label { get; set; }

    public ProgressMode Progress { get; set; } = ProgressMode.Auto;

    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);

    public int? ServerPid { get; set; }

    /// <summary>Processes (with their descendants) whose CPU is reported by name: <c>--cpu-of NAME=PID</c>.</summary>
    public List<Probes.WatchedProcess> CpuOf { get; } = [];

    public Fault Fault { get; set; } = Fault.None;
}
