using BenchmarkDotNet.Attributes;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Benchmarks;

/// <summary>
/// <c>DeviceSetValidator.Compare</c>: a direct send to a partner's 2 devices that matches (every online send), one
/// that misses a device (the 409), and a room send to 50 members × 2 devices that matches.
/// </summary>
[MemoryDiagnoser]
public class EnvelopeDeviceSetBenchmarks
{
    private static readonly DeviceAddress[] PartnerDevices = EnvelopeSamples.DestinationDevices;
    private static readonly DeviceAddress[] OnlyFirstDevice = [EnvelopeSamples.DestinationDevices[0]];
    private DeviceAddress[] _roomCurrent = [];
    private DeviceAddress[] _roomAddressed = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        var devices = new List<DeviceAddress>();
        for (var member = 0; member < 50; member++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            var user = new Guid(bytes);
            devices.Add(new DeviceAddress(user, 1, random.Next(1, 16381)));
            devices.Add(new DeviceAddress(user, 2, random.Next(1, 16381)));
        }
        _roomCurrent = [.. devices];
        // Clients list envelopes in their own order, not the store's.
        _roomAddressed = [.. devices.OrderBy(_ => random.Next())];
    }

    [Benchmark]
    public IReadOnlyList<DeviceMismatch>? DirectSendMatches() => DeviceSetValidator.Compare(PartnerDevices, PartnerDevices);

    [Benchmark]
    public IReadOnlyList<DeviceMismatch>? DirectSendMissesADevice() => DeviceSetValidator.Compare(PartnerDevices, OnlyFirstDevice);

    [Benchmark]
    public IReadOnlyList<DeviceMismatch>? RoomOf100DevicesMatches() => DeviceSetValidator.Compare(_roomCurrent, _roomAddressed);
}
