using MessagePack;
using MessagePack.Formatters;

namespace E2eeChat.LoadTest.Hub;

/// <summary>Reads a <c>Receipts</c> event from the hub's MessagePack, the twin of <see cref="ArrivedReceiptsConverter"/>.</summary>
internal sealed class ArrivedReceiptsFormatter : IMessagePackFormatter<ArrivedReceipts>
{
    public ArrivedReceipts Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var count = reader.ReadArrayHeader();
        for (var i = 0; i < count; i++)
        {
            reader.Skip();
        }
        return new ArrivedReceipts(count);
    }

    public void Serialize(ref MessagePackWriter writer, ArrivedReceipts value, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("Arrived receipts are only read.");
}
