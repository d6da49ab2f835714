using System.Text.Json;

namespace E2eeChat.HubClient;

/// <summary>Reads the arguments array of an invocation one typed value at a time, straight from the receive buffer.</summary>
internal ref struct HubArgumentReader
{
    private Utf8JsonReader _reader;
    private readonly bool _empty;

    public HubArgumentReader(ReadOnlySpan<byte> argumentsJson)
    {
        _empty = argumentsJson.IsEmpty;
        _reader = new Utf8JsonReader(argumentsJson);
        if (!_empty)
        {
            _reader.Read();
        }
    }

    public T Next<T>(JsonSerializerOptions options)
    {
        if (_empty || !_reader.Read() || _reader.TokenType == JsonTokenType.EndArray)
        {
            throw new InvalidDataException("The server sent fewer arguments than the handler takes.");
        }
        // A JSON null arrives as default, as it would for any deserialized field.
        return JsonSerializer.Deserialize<T>(ref _reader, options)!;
    }

    public void End()
    {
        if (!_empty && _reader.Read() && _reader.TokenType != JsonTokenType.EndArray)
        {
            throw new InvalidDataException("The server sent more arguments than the handler takes.");
        }
    }
}
