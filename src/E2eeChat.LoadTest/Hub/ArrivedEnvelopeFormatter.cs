using System.Buffers;
using E2eeChat.LoadTest.Payload;
using MessagePack;
using MessagePack.Formatters;

namespace E2eeChat.LoadTest.Hub;

/// <summary>
/// Reads an <c>Envelope</c> event from the hub's MessagePack, the twin of <see cref="ArrivedEnvelopeConverter"/>:
/// content is msgpack bin, so its 24-byte header is read in place. Runs for every delivered envelope and
/// allocates nothing.
/// </summary>
internal sealed class ArrivedEnvelopeFormatter : IMessagePackFormatter<ArrivedEnvelope>
{
    public ArrivedEnvelope Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        Guid id = default;
        var deviceId = 0;
        var isOurs = false;
        PayloadHeader header = default;
        var length = 0;
        Span<byte> start = stackalloc byte[MessagePayload.HeaderSize];
        var fields = reader.ReadMapHeader();
        for (var i = 0; i < fields; i++)
        {
            var key = reader.ReadStringSequence();
            if (key is not { } name)
            {
                reader.Skip();
            }
            else if (Is(name, "id"u8))
            {
                id = GuidFormatter.Instance.Deserialize(ref reader, options);
            }
            else if (Is(name, "destinationDeviceId"u8))
            {
                deviceId = reader.ReadInt32();
            }
            else if (Is(name, "content"u8))
            {
                var content = reader.ReadBytes() ?? throw new MessagePackSerializationException("An envelope's content is bin, not nil.");
                length = (int)content.Length;
                if (content.Length >= MessagePayload.HeaderSize)
                {
                    content.Slice(0, MessagePayload.HeaderSize).CopyTo(start);
                    isOurs = MessagePayload.TryReadHeader(start, out header);
                }
            }
            else
            {
                reader.Skip();
            }
        }
        return new ArrivedEnvelope(id, deviceId, isOurs ? header : default, isOurs, length);
    }

    public void Serialize(ref MessagePackWriter writer, ArrivedEnvelope value, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("Arrived envelopes are only read.");

    private static bool Is(ReadOnlySequence<byte> key, ReadOnlySpan<byte> name) =>
        key.IsSingleSegment ? key.FirstSpan.SequenceEqual(name) : key.Length == name.Length && key.ToArray().AsSpan().SequenceEqual(name);
}
