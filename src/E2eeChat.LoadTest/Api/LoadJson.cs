using System.Text.Json;
using System.Text.Json.Serialization;
using E2eeChat.LoadTest.Hub;

namespace E2eeChat.LoadTest.Api;

/// <summary>The one JSON setup of the tool: the server's camelCase wire shape, for REST and the hub alike.</summary>
internal static class LoadJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new ArrivedEnvelopeConverter());
        options.Converters.Add(new ArrivedReceiptsConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
