using System.Buffers;
using System.Text;
using E2eeChat.Redis.Protocol;
using Xunit;

namespace E2eeChat.Redis.Tests.Protocol;

public sealed class RespReaderTests
{
    private const string EveryType =
        "+OK\r\n-WRONGTYPE Operation against a key\r\n:-42\r\n$5\r\nhe\r\no\r\n$-1\r\n$0\r\n\r\n" +
        "*3\r\n:1\r\n*2\r\n$1\r\na\r\n*-1\r\n+x\r\n*0\r\n*-1\r\n";

    [Fact]
    public void Reads_every_RESP2_type_including_nulls_and_nested_arrays()
    {
        var replies = ReadAll(Encoding.UTF8.GetBytes(EveryType), chunkSize: int.MaxValue);

        Assert.Equal(9, replies.Count);
        Assert.Equal((RedisReplyKind.SimpleString, "OK"), (replies[0].Kind, replies[0].AsString()));
        Assert.Equal((RedisReplyKind.Error, "WRONGTYPE Operation against a key"), (replies[1].Kind, replies[1].AsString()));
        Assert.Equal(-42, replies[2].AsInteger());
        Assert.Equal("he\r\no"u8.ToArray(), replies[3].AsBytes());
        Assert.True(replies[4].IsNull);
        Assert.Equal(Array.Empty<byte>(), replies[5].AsBytes());
        var nested = replies[6];
        Assert.Equal(3, nested.Elements.Length);
        Assert.Equal("a", nested.Elements[1].Elements[0].AsString());
        Assert.True(nested.Elements[1].Elements[1].IsNull);
        Assert.Equal("x", nested.Elements[2].AsString());
        Assert.Equal(0, replies[7].Elements.Length);
        Assert.False(replies[7].IsNull);
        Assert.True(replies[8].IsNull);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Replies_split_across_reads_and_segments_parse_the_same(int chunkSize)
    {
        var whole = ReadAll(Encoding.UTF8.GetBytes(EveryType), chunkSize: int.MaxValue);

        var split = ReadAll(Encoding.UTF8.GetBytes(EveryType), chunkSize);

        Assert.Equal(whole.Select(Describe), split.Select(Describe));
    }

    [Theory]
    [InlineData("+OK")]
    [InlineData("$5\r\nhel")]
    [InlineData("$5\r\nhello\r")]
    [InlineData("*2\r\n:1\r\n")]
    [InlineData("*2\r\n:1\r\n$3\r\nab")]
    public void Incomplete_reply_is_left_in_the_buffer(string partial)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(partial));

        Assert.False(RespReader.TryRead(ref buffer, out _));
        Assert.Equal(partial.Length, buffer.Length);
    }

    [Theory]
    [InlineData("?what\r\n")]
    [InlineData(":12x\r\n")]
    [InlineData("$-2\r\n")]
    [InlineData("$3\r\nabcd\r\n")]
    [InlineData("*-5\r\n")]
    [InlineData(":\r\n")]
    public void Malformed_reply_throws_RedisProtocolException(string malformed)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(malformed));

        Assert.Throws<RedisProtocolException>(() => RespReader.TryRead(ref buffer, out _));
    }

    [Fact]
    public void A_line_without_CRLF_is_rejected_once_it_is_implausibly_long()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("+" + new string('a', 70_000)));

        Assert.Throws<RedisProtocolException>(() => RespReader.TryRead(ref buffer, out _));
    }

    private static string Describe(RedisReply reply) => reply.Kind == RedisReplyKind.Array && !reply.IsNull
        ? $"[{string.Join(",", reply.Elements.ToArray().Select(Describe))}]"
        : reply.ToString();

    // Feeds the bytes as a reader would receive them: a growing multi-segment buffer.
    private static List<RedisReply> ReadAll(byte[] bytes, int chunkSize)
    {
        var replies = new List<RedisReply>();
        var received = new List<byte[]>();
        var offset = 0;
        var consumed = 0L;
        while (offset < bytes.Length)
        {
            var take = Math.Min(chunkSize, bytes.Length - offset);
            received.Add(bytes[offset..(offset + take)]);
            offset += take;
            var buffer = Segments.Build(received).Slice(consumed);
            var before = buffer.Length;
            while (RespReader.TryRead(ref buffer, out var reply))
            {
                replies.Add(reply);
            }
            consumed += before - buffer.Length;
        }
        Assert.Equal(bytes.Length, consumed);
        return replies;
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Build(List<byte[]> chunks)
        {
            var first = new Segments(chunks[0], 0);
            var last = first;
            for (var i = 1; i < chunks.Count; i++)
            {
                var next = new Segments(chunks[i], last.RunningIndex + last.Memory.Length);
                last.Next = next;
                last = next;
            }
            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
