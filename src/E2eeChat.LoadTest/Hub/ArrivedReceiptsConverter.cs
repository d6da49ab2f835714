using System.Text.Json;
using System.Text.Json.Serialization;

namespace E2eeChat.LoadTest.Hub;

/// <summary>
/// Reads a <c>Receipts</c> event from the hub's JSON by counting its elements and skipping them: the tool counts
/// receipts and needs nothing in them.
/// </summary>
internal sealed class ArrivedReceiptsConverter : JsonConverter<ArrivedReceipts>
{
    public override ArrivedReceipts Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Receipts are a JSON array.");
        }
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Skip();
            count++;
        }
        return new ArrivedReceipts(count);
    }

    public override void Write(Utf8JsonWriter writer, ArrivedReceipts value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Arrived receipts are only read.");
}
