using System.Text.Json;
using E2eeChat.LoadTest.Api;
using E2eeChat.LoadTest.Hub;
using MessagePack;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Hub;

public sealed class ArrivedReceiptsTests
{
    /// <summary>A receipt as the server writes it, with a nested value the reader has to skip whole.</summary>
    private static Dictionary<string, object?> Receipt(int status) => new()
    {
        ["messageId"] = Guid.NewGuid().ToString(),
        ["userId"] = Guid.NewGuid().ToString(),
        ["deviceId"] = 2,
        ["status"] = status,
        ["at"] = 1_700_000_000_000,
        ["extra"] = new object[] { 1, new Dictionary<string, object?> { ["nested"] = "value" } },
    };

    [Theory]
    [InlineData("json", 0)]
    [InlineData("json", 1)]
    [InlineData("json", 3)]
    [InlineData("messagepack", 0)]
    [InlineData("messagepack", 1)]
    [InlineData("messagepack", 3)]
    public void Counts_the_receipts_the_server_writes(string protocol, int count)
    {
        var receipts = Enumerable.Range(0, count).Select(Receipt).ToArray();

        var arrived = protocol == "json"
            ? JsonSerializer.Deserialize<ArrivedReceipts>(JsonSerializer.Serialize(receipts), LoadJson.Options)
            : MessagePackSerializer.Deserialize<ArrivedReceipts>(MessagePackSerializer.Serialize(receipts), LoadMessagePack.Options);

        Assert.Equal(count, arrived.Count);
    }

    [Fact]
    public void Json_that_is_not_an_array_is_refused()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ArrivedReceipts>("""{"status":1}""", LoadJson.Options));
    }
}
