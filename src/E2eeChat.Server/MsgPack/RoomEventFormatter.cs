using E2eeChat.Domain.Rooms;
using MessagePack;
using MessagePack.Formatters;

namespace E2eeChat.Server.MsgPack;

/// <summary>A <c>RoomEvent</c>: <c>{roomId, kind, userId?, name?, at, byUserId?}</c>, leaving out what is null as JSON does.</summary>
internal sealed class RoomEventFormatter : IMessagePackFormatter<RoomEvent>
{
    public void Serialize(ref MessagePackWriter writer, RoomEvent value, MessagePackSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        writer.WriteMapHeader(3 + (value.UserId is null ? 0 : 1) + (value.Name is null ? 0 : 1) + (value.ByUserId is null ? 0 : 1));
        writer.WriteString("roomId"u8);
        GuidFormatter.Instance.Serialize(ref writer, value.RoomId, options);
        writer.WriteString("kind"u8);
        options.Resolver.GetFormatterWithVerify<RoomEventKind>().Serialize(ref writer, value.Kind, options);
        if (value.UserId is { } userId)
        {
            writer.WriteString("userId"u8);
            GuidFormatter.Instance.Serialize(ref writer, userId, options);
        }
        if (value.Name is { } name)
        {
            writer.WriteString("name"u8);
            writer.Write(name);
        }
        writer.WriteString("at"u8);
        writer.Write(value.At);
        if (value.ByUserId is { } byUserId)
        {
            writer.WriteString("byUserId"u8);
            GuidFormatter.Instance.Serialize(ref writer, byUserId, options);
        }
    }

    public RoomEvent Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("Room events are written by the server, never read from clients.");
}
