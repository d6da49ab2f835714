using System.Text;
using System.Text.Json;
using E2eeChat.LoadTest.Api;
using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Payload;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Hub;

public sealed class ArrivedEnvelopeConverterTests
{
    private static readonly PayloadHeader Header = new(StreamId: 7, Sequence: 123_456_789_012, SentAt: 987_654_321);

    /// <summary>The envelope as the server writes it: every field of the v1 shape, content as plain base64.</summary>
    private static string ServerJson(Guid id, byte[] content)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("messageId", Guid.NewGuid());
            writer.WriteNumber("type", 2);
            writer.WriteString("sourceUserId", Guid.NewGuid());
            writer.WriteNumber("sourceDeviceId", 1);
            writer.WriteNumber("destinationDeviceId", 3);
            writer.WriteNumber("timestamp", 1_700_000_000_000);
            writer.WriteNumber("serverTimestamp", 1_700_000_000_001);
            writer.WriteBase64String("content", content);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Theory]
    [InlineData(24)]
    [InlineData(25)]
    [InlineData(26)]
    [InlineData(1024)]
    public void Reads_id_device_header_and_length_from_the_servers_json(int size)
    {
        var id = Guid.NewGuid();
        var content = MessagePayload.Create(Header, new byte[size], size);

        var envelope = JsonSerializer.Deserialize<ArrivedEnvelope>(ServerJson(id, content), LoadJson.Options);

        Assert.Equal(id, envelope.Id);
        Assert.Equal(3, envelope.DestinationDeviceId);
        Assert.True(envelope.IsOurs);
        Assert.Equal(Header, envelope.Header);
        Assert.Equal(size, envelope.ContentLength);
    }

    [Fact]
    public void Reads_escaped_base64_too()
    {
        var content = MessagePayload.Create(Header, Enumerable.Repeat((byte)0xFB, 100).ToArray(), 100);
        var json = ServerJson(Guid.NewGuid(), content);
        var base64 = Convert.ToBase64String(content);
        Assert.Contains("+", base64, StringComparison.Ordinal);
        var escaped = json.Replace(base64, base64.Replace("+", "\\u002B", StringComparison.Ordinal), StringComparison.Ordinal);

        var envelope = JsonSerializer.Deserialize<ArrivedEnvelope>(escaped, LoadJson.Options);

        Assert.True(envelope.IsOurs);
        Assert.Equal(Header, envelope.Header);
        Assert.Equal(100, envelope.ContentLength);
    }

    [Theory]
    [InlineData("")]
    [InlineData("aGVsbG8=")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Content_without_the_tools_header_is_not_ours(string base64)
    {
        var json = ServerJson(Guid.NewGuid(), Convert.FromBase64String(base64));

        var envelope = JsonSerializer.Deserialize<ArrivedEnvelope>(json, LoadJson.Options);

        Assert.False(envelope.IsOurs);
        Assert.Equal(Convert.FromBase64String(base64).Length, envelope.ContentLength);
    }
}
