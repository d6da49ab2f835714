using E2eeChat.LoadTest.Payload;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Hub;

public sealed class MessagePayloadTests
{
    [Fact]
    public void Content_is_the_header_then_the_padding_to_the_size()
    {
        var padding = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var header = new PayloadHeader(3, 42, 1234567);

        var content = MessagePayload.Create(header, padding, 64);

        Assert.Equal(64, content.Length);
        Assert.True(MessagePayload.TryReadHeader(content, out var read));
        Assert.Equal(header, read);
        Assert.Equal(padding[..40], content[MessagePayload.HeaderSize..]);
    }

    [Fact]
    public void A_size_below_the_header_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MessagePayload.Create(default, new byte[100], MessagePayload.HeaderSize - 1));
    }
}
