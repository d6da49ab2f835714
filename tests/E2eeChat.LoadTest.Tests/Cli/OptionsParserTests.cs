using E2eeChat.LoadTest.Cli;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Cli;

public sealed class OptionsParserTests
{
    [Fact]
    public void Defaults_apply_when_only_the_scenario_is_named()
    {
        var options = OptionsParser.Parse(["pairs"]);

        Assert.Equal(Scenario.Pairs, options.Scenario);
        Assert.Equal(new Uri("http://127.0.0.1:5080"), options.Url);
        Assert.Equal(SendLoop.Rate, options.Loop);
        Assert.Equal(0, options.MaxLoss);
        Assert.Null(options.MaxDuplicates);
        Assert.Equal(Fault.None, options.Fault);
        Assert.Equal(WireProtocol.Json, options.Protocol);
    }

    [Fact]
    public void Every_option_is_read()
    {
        var options = OptionsParser.Parse([
            "room", "--url", "http://10.0.0.1:8080", "--members", "50", "--senders", "5", "--devices", "2", "--size", "1024",
            "--closed-loop", "send", "--duration", "2m", "--warmup", "500ms", "--ramp-up", "0", "--settle", "10",
            "--parallelism", "8", "--max-loss", "3", "--max-errors", "4", "--max-duplicates", "5", "--out", "x",
            "--label", "room-100", "--progress", "plain", "--progress-interval", "1s", "--server-pid", "1234",
            "--fault", "drop-acks-then-reconnect", "--max-in-flight", "7", "--cpu-of", "hub=11", "--cpu-of", "hub=12",
            "--cpu-of", "postgres=13", "--protocol", "messagepack",
        ]);

        Assert.Equal(Scenario.Room, options.Scenario);
        Assert.Equal(WireProtocol.MessagePack, options.Protocol);
        Assert.Equal(new Uri("http://10.0.0.1:8080"), options.Url);
        Assert.Equal((50, 5, 2, 1024), (options.Members, options.Senders, options.Devices, options.MessageSize));
        Assert.Equal(SendLoop.ClosedOnSend, options.Loop);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Warmup);
        Assert.Equal(TimeSpan.Zero, options.RampUp);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Settle);
        Assert.Equal((8, 3L, 4L, 5L), (options.Parallelism, options.MaxLoss, options.MaxErrors, options.MaxDuplicates));
        Assert.Equal(("x", "room-100", 1234, 7), (options.OutputDirectory, options.Label, options.ServerPid, options.MaxInFlight));
        Assert.Equal(ProgressMode.Plain, options.Progress);
        Assert.Equal(Fault.DropAcksThenReconnect, options.Fault);
        Assert.Equal([new("hub", 11), new("hub", 12), new("postgres", 13)], options.CpuOf);
    }

    [Theory]
    [InlineData("swarm")]
    [InlineData("pairs", "--rate")]
    [InlineData("pairs", "--rate", "0")]
    [InlineData("pairs", "--duration", "0s")]
    [InlineData("pairs", "--duration", "soon")]
    [InlineData("pairs", "--devices", "7")]
    [InlineData("pairs", "--size", "23")]
    [InlineData("pairs", "--url", "ftp://host")]
    [InlineData("pairs", "--closed-loop", "ack")]
    [InlineData("pairs", "--protocol", "protobuf")]
    [InlineData("pairs", "--verbose", "yes")]
    [InlineData("pairs", "--cpu-of", "1234")]
    [InlineData("pairs", "--cpu-of", "a.b=1234")]
    [InlineData("pairs", "--cpu-of", "hub=x")]
    [InlineData("room", "--members", "3", "--senders", "4")]
    [InlineData("drain", "--fault", "drop-acks-then-disconnect")]
    [InlineData("pairs", "--fault", "drop-acks-then-disconnect", "--closed-loop", "delivery")]
    public void A_command_line_that_cannot_run_is_refused_with_a_reason(params string[] args)
    {
        var exception = Assert.Throws<UsageException>(() => OptionsParser.Parse(args));

        Assert.False(string.IsNullOrWhiteSpace(exception.Message));
    }

    [Fact]
    public void No_arguments_is_a_usage_error()
    {
        Assert.Throws<UsageException>(() => OptionsParser.Parse([]));
    }
}
