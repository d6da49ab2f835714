using E2eeChat.LoadTest.Reporting;
using E2eeChat.LoadTest.Sending;

namespace E2eeChat.LoadTest.Scenarios;

/// <summary>What a scenario hands to the report besides the shared measurements.</summary>
internal sealed class ScenarioOutcome
{
    public SenderStream[] Streams { get; init; } = [];

    /// <summary>Envelopes per send: the destination devices of each message.</summary>
    public int FanOut { get; init; }

    public ConnectionStats? Connections { get; init; }

    public DrainStats? Drain { get; init; }

    public ServerMemory? Server { get; init; }
}
