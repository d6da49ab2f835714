using E2eeChat.HubClient.Protocol;
using Xunit;

namespace E2eeChat.HubClient.Tests.Protocol;

/// <summary>The load tool holds thousands of connections, so the per-message receive path must not allocate.</summary>
public sealed class ReceivePathAllocationTests
{
    private static readonly byte[] Wire =
        "{\"type\":1,\"target\":\"Tick\",\"arguments\":[1]}\u001e{\"type\":6}\u001e{\"type\":3,\"invocationId\":\"7\"}\u001e"u8.ToArray();

    [Fact]
    public void Framing_parsing_and_dispatching_a_record_allocate_nothing()
    {
        var options = HubConnectionOptions.DefaultSerializerOptions;
        var registry = new HandlerRegistry();
        var ticks = 0;
        using var registration = registry.Add("Tick", arguments =>
        {
            var reader = new HubArgumentReader(arguments);
            ticks += reader.Next<int>(options);
            reader.End();
        });
        using var framer = new RecordSeparatorFramer(maximumRecordSize: 1024);
        Receive(framer, registry);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Receive(framer, registry);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(101, ticks);
    }

    private static void Receive(RecordSeparatorFramer framer, HandlerRegistry registry)
    {
        Wire.CopyTo(framer.GetReceiveMemory(Wire.Length).Span);
        framer.Advance(Wire.Length);
        Span<char> targetScratch = stackalloc char[128];
        while (framer.TryReadRecord(out var record))
        {
            var message = HubProtocolReader.Parse(record, targetScratch);
            if (message.Type == HubMessageType.Invocation && registry.Find(message.Target) is { } handlers)
            {
                foreach (var handler in handlers)
                {
                    handler(message.Arguments);
                }
            }
        }
        framer.ReleaseIfEmpty();
    }
}
