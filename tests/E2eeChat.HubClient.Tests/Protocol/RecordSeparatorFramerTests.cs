using System.Text;
using E2eeChat.HubClient.Protocol;
using Xunit;

namespace E2eeChat.HubClient.Tests.Protocol;

public sealed class RecordSeparatorFramerTests
{
    private static readonly string[] Records = ["{\"type\":6}", "{\"type\":1,\"target\":\"Notify\",\"arguments\":[\"x\"]}", "{}", "{\"type\":7}"];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public void Records_come_out_whole_whatever_the_chunk_size(int chunkSize)
    {
        var wire = Encoding.UTF8.GetBytes(string.Concat(Records.Select(r => r + "\u001e")));
        using var framer = new RecordSeparatorFramer(maximumRecordSize: 1024);
        var read = new List<string>();

        for (var offset = 0; offset < wire.Length; offset += chunkSize)
        {
            var chunk = wire.AsSpan(offset, Math.Min(chunkSize, wire.Length - offset));
            // Asking for little space forces compaction and growth along the way.
            chunk.CopyTo(framer.GetReceiveMemory(chunk.Length).Span);
            framer.Advance(chunk.Length);
            while (framer.TryReadRecord(out var record))
            {
                read.Add(Encoding.UTF8.GetString(record));
            }
            framer.ReleaseIfEmpty();
        }

        Assert.Equal(Records, read);
        Assert.True(framer.IsEmpty);
    }

    [Fact]
    public void A_partial_record_waits_for_its_separator()
    {
        using var framer = new RecordSeparatorFramer(maximumRecordSize: 1024);
        Write(framer, "{\"type\":6}\u001e{\"ty");

        Assert.True(framer.TryReadRecord(out _));
        Assert.False(framer.TryReadRecord(out _));
        Assert.False(framer.IsEmpty);

        Write(framer, "pe\":6}\u001e");
        Assert.True(framer.TryReadRecord(out var record));
        Assert.Equal("{\"type\":6}", Encoding.UTF8.GetString(record));
    }

    [Fact]
    public void A_record_over_the_limit_is_refused_before_it_completes()
    {
        using var framer = new RecordSeparatorFramer(maximumRecordSize: 1024);
        Write(framer, new string('x', 1025));

        Assert.Throws<InvalidDataException>(() => framer.TryReadRecord(out _));
    }

    private static void Write(RecordSeparatorFramer framer, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        bytes.CopyTo(framer.GetReceiveMemory(bytes.Length).Span);
        framer.Advance(bytes.Length);
    }
}
