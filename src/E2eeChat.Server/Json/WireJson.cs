using System.Text.Json;
using System.Text.Json.Serialization;

namespace E2eeChat.Server.Json;

/// <summary>The one JSON setup, shared by the REST controllers and the hub.</summary>
public static class WireJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new EnvelopeJsonConverter());
        options.Converters.Add(new EnvelopeContentJsonConverter());
    }
}
