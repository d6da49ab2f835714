using System.Buffers;
using E2eeChat.Domain.Messages;
using MessagePack;
using MessagePack.Formatters;

namespace E2eeChat.Server.MsgPack;

/// <summary>
/// Reads an outgoing envelope's <c>content</c> as msgpack bin, the ciphertext bytes. Anything else is kept as
/// unreadable rather than thrown, so the send's parser refuses it with <c>invalid_envelope</c> naming the
/// envelope: a binding error would reach the client only as SignalR's generic "failed to invoke".
/// </summary>
internal sealed class EnvelopeContentFormatter : IMessagePackFormatter<EnvelopeContent?>
{
    public void Serialize(ref MessagePackWriter writer, EnvelopeContent? value, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("Outgoing content is read from clients, never written.");

    public EnvelopeContent? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        if (reader.NextMessagePackType == MessagePackType.Binary)
        {
            return EnvelopeContent.FromBytes(reader.ReadBytes()!.Value.ToArray());
        }
        reader.Skip();
        return EnvelopeContent.Unreadable("must be binary (msgpack bin) with the MessagePack protocol");
    }
}
