using System.Buffers.Text;
using System.Text.Json;

namespace E2eeChat.HubClient.Protocol;

/// <summary>Reads JSON hub protocol records (without their 0x1E separator).</summary>
internal static class HubProtocolReader
{
    /// <summary>
    /// Parses one record. <paramref name="targetScratch"/> receives the target name when it fits, so
    /// that looking up handlers needs no string.
    /// </summary>
    /// <exception cref="InvalidDataException">The record is not a hub message.</exception>
    public static HubMessage Parse(ReadOnlySpan<byte> record, Span<char> targetScratch)
    {
        try
        {
            return ParseCore(record, targetScratch);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The server sent a record that is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader's typed getters throw this when a field has the wrong JSON type.
            throw new InvalidDataException($"The server sent a malformed hub message: {ex.Message}", ex);
        }
    }

    /// <summary>Returns the error of a handshake response, or null when the server accepted.</summary>
    /// <exception cref="InvalidDataException">The record is not a handshake response.</exception>
    public static string? ReadHandshakeError(ReadOnlySpan<byte> record)
    {
        try
        {
            var reader = new Utf8JsonReader(record);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException("The handshake response is not a JSON object.");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                reader.Read();
                if (isError)
                {
                    return reader.GetString();
                }
                reader.Skip();
            }
            return null;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The handshake response is not valid JSON: {ex.Message}", ex);
        }
    }

    private static HubMessage ParseCore(ReadOnlySpan<byte> record, Span<char> targetScratch)
    {
        var reader = new Utf8JsonReader(record);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException("A hub message must be a JSON object.");
        }

        // The spec does not fix the order of fields, so collect them all before deciding anything.
        var message = default(HubMessage);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                message.Type = (HubMessageType)reader.GetInt32();
            }
            else if (reader.ValueTextEquals("invocationId"u8))
            {
                reader.Read();
                ReadInvocationId(ref reader, record, ref message);
            }
            else if (reader.ValueTextEquals("target"u8))
            {
                reader.Read();
                message.Target = ReadTarget(ref reader, targetScratch);
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new InvalidDataException("'arguments' must be a JSON array.");
                }
                message.Arguments = RawValue(ref reader, record);
            }
            else if (reader.ValueTextEquals("result"u8))
            {
                reader.Read();
                message.Result = RawValue(ref reader, record);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                message.Error = reader.GetString();
            }
            else if (reader.ValueTextEquals("allowReconnect"u8))
            {
                reader.Read();
                message.AllowReconnect = reader.TokenType == JsonTokenType.True;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (message.Type == HubMessageType.None)
        {
            throw new InvalidDataException("A hub message must have a 'type'.");
        }
        return message;
    }

    private static void ReadInvocationId(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> record, ref HubMessage message)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new InvalidDataException("'invocationId' must be a string.");
        }
        message.InvocationIdJson = record[(int)reader.TokenStartIndex..(int)reader.BytesConsumed];
        if (!reader.ValueIsEscaped
            && Utf8Parser.TryParse(reader.ValueSpan, out long id, out var consumed)
            && consumed == reader.ValueSpan.Length)
        {
            message.InvocationId = id;
        }
    }

    private static ReadOnlySpan<char> ReadTarget(scoped ref Utf8JsonReader reader, Span<char> scratch)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new InvalidDataException("'target' must be a string.");
        }
        // The unescaped name never has more chars than its UTF-8 bytes as sent.
        if (reader.ValueSpan.Length <= scratch.Length)
        {
            return scratch[..reader.CopyString(scratch)];
        }
        return reader.GetString();
    }

    private static ReadOnlySpan<byte> RawValue(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> record)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return record[start..(int)reader.BytesConsumed];
    }
}
