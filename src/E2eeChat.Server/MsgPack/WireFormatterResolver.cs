using E2eeChat.Domain.Messages;
using E2eeChat.Domain.Rooms;
using MessagePack;
using MessagePack.Formatters;

namespace E2eeChat.Server.MsgPack;

/// <summary>The hub's own formatters: domain records in their wire shape, content as bin, enums as camelCase strings.</summary>
internal sealed class WireFormatterResolver : IFormatterResolver
{
    public static readonly WireFormatterResolver Instance = new();

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = (IMessagePackFormatter<T>?)Create(typeof(T));

        private static object? Create(Type type) =>
            type == typeof(Envelope) ? new EnvelopeFormatter()
            : type == typeof(EnvelopeContent) ? new EnvelopeContentFormatter()
            : type == typeof(SendResult) ? new SendResultFormatter()
            : type == typeof(RoomEvent) ? new RoomEventFormatter()
            : type.IsEnum ? Activator.CreateInstance(typeof(CamelCaseEnumFormatter<>).MakeGenericType(type))
            : null;
    }
}
