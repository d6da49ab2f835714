using E2eeChat.LoadTest.Api;
using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Payload;
using MessagePack;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Hub;

public sealed class ArrivedEnvelopeFormatterTests
{
    private static readonly PayloadHeader Header = new(StreamId: 7, Sequence: 123_456_789_012, SentAt: 987_654_321);

    /// <summary>The envelope as the server writes it with MessagePack: the v1 keys, Guids as strings, content as bin.</summary>
    private static byte[] ServerMessagePack(Guid id, byte[] content) => MessagePackSerializer.Serialize(new Dictionary<string, object?>
    {
        ["id"] = id.ToString(),
        ["messageId"] = Guid.NewGuid().ToString(),
        ["type"] = 2,
        ["sourceUserId"] = Guid.NewGuid().ToString(),
        ["sourceDeviceId"] = 1,
        ["roomId"] = Guid.NewGuid().ToString(),
        ["destinationDeviceId"] = 3,
        ["timestamp"] = 1_700_000_000_000,
        ["serverTimestamp"] = 1_700_000_000_001,
        ["content"] = content,
        ["expiresAt"] = 1_700_000_060_000,
    });

    [Theory]
    [InlineData(24)]
    [InlineData(25)]
    [InlineData(1024)]
    public void Reads_id_device_header_and_length_from_the_servers_messagepack(int size)
    {
        var id = Guid.NewGuid();
        var content = MessagePayload.Create(Header, new byte[size], size);

        var envelope = MessagePackSerializer.Deserialize<ArrivedEnvelope>(ServerMessagePack(id, content), LoadMessagePack.Options);

        Assert.Equal(id, envelope.Id);
        Assert.Equal(3, envelope.DestinationDeviceId);
        Assert.True(envelope.IsOurs);
        Assert.Equal(Header, envelope.Header);
        Assert.Equal(size, envelope.ContentLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(23)]
    [InlineData(100)]
    public void Content_without_the_tools_header_is_not_ours(int size)
    {
        var envelope = MessagePackSerializer.Deserialize<ArrivedEnvelope>(ServerMessagePack(Guid.NewGuid(), new byte[size]),
            LoadMessagePack.Options);

        Assert.False(envelope.IsOurs);
        Assert.Equal(default, envelope.Header);
        Assert.Equal(size, envelope.ContentLength);
    }
}
