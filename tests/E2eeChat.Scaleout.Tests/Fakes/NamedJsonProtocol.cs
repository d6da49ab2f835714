using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace E2eeChat.Scaleout.Tests.Fakes;

/// <summary>
/// The JSON hub protocol under another name and naming policy: a second protocol, so a hub speaks
/// two and every invocation must be serialized once for each.
/// </summary>
internal sealed class NamedJsonProtocol(string name, JsonNamingPolicy? namingPolicy) : IHubProtocol
{
    private readonly JsonHubProtocol _json = new(Options.Create(CreateOptions(namingPolicy)));

    public string Name => name;

    public int Version => _json.Version;

    public TransferFormat TransferFormat => _json.TransferFormat;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message) =>
        _json.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _json.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _json.GetMessageBytes(message);

    public bool IsVersionSupported(int version) => _json.IsVersionSupported(version);

    private static JsonHubProtocolOptions CreateOptions(JsonNamingPolicy? namingPolicy)
    {
        var options = new JsonHubProtocolOptions();
        options.PayloadSerializerOptions.PropertyNamingPolicy = namingPolicy;
        return options;
    }
}
