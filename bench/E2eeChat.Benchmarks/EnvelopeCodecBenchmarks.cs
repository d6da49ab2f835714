using BenchmarkDotNet.Attributes;
using E2eeChat.Domain.Messages;
using E2eeChat.Server.Delivery;

namespace E2eeChat.Benchmarks;

/// <summary>
/// The device channel's envelope codec with a 1 KiB envelope: encoded as the sending instance publishes it
/// (<c>DeviceChannelMessage.Envelope</c>), decoded as the instance holding the device reads it.
/// </summary>
[MemoryDiagnoser]
public class EnvelopeCodecBenchmarks
{
    private readonly Envelope _envelope = EnvelopeSamples.StoredEnvelope();
    private byte[] _published = [];

    [GlobalSetup]
    public void Setup() => _published = DeviceChannelMessage.Envelope(_envelope);

    [Benchmark]
    public byte[] Encode() => DeviceChannelMessage.Envelope(_envelope);

    [Benchmark]
    public Envelope Decode() => EnvelopeCodec.Read(_published.AsSpan(1));
}
