using E2eeChat.Domain.Messages;
using MessagePack;
using MessagePack.Formatters;

namespace E2eeChat.Server.MsgPack;

/// <summary>The result of <c>Send</c> and <c>SendToRoom</c>: <c>{messageId, serverTimestamp, needsSync}</c>.</summary>
internal sealed class SendResultFormatter : IMessagePackFormatter<SendResult>
{
    public void Serialize(ref MessagePackWriter writer, SendResult value, MessagePackSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteMapHeader(3);
        writer.WriteString("messageId"u8);
        GuidFormatter.Instance.Serialize(ref writer, value.MessageId, options);
        writer.WriteString("serverTimestamp"u8);
        writer.Write(value.ServerTimestamp);
        writer.WriteString("needsSync"u8);
        writer.Write(value.NeedsSync);
    }

    public SendResult Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("Send results are written by the server, never read from clients.");
}
