using System.Text.Json;
using MessagePack;
using MessagePack.Formatters;

namespace E2eeChat.Server.MsgPack;

/// <summary>An enum as its camelCase name (<c>delivered</c>, <c>joined</c>), as JSON writes it.</summary>
internal sealed class CamelCaseEnumFormatter<T> : IMessagePackFormatter<T>
    where T : struct, Enum
{
    private readonly Dictionary<T, string> _names = [];
    private readonly Dictionary<string, T> _values = new(StringComparer.Ordinal);

    public CamelCaseEnumFormatter()
    {
        foreach (var value in Enum.GetValues<T>())
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
            _names[value] = name;
            _values[name] = value;
        }
    }

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) =>
        writer.Write(_names.TryGetValue(value, out var name) ? name : throw new MessagePackSerializationException($"{value} is not a {typeof(T).Name}."));

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var name = reader.ReadString();
        return name is not null && _values.TryGetValue(name, out var value)
            ? value
            : throw new MessagePackSerializationException($"'{name}' is not a {typeof(T).Name}.");
    }
}
