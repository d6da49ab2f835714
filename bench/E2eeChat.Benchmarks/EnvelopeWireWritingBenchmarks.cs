using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using E2eeChat.Domain.Messages;
using E2eeChat.Server.Hub;
using E2eeChat.Server.Json;
using E2eeChat.Server.MsgPack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace E2eeChat.Benchmarks;

/// <summary>
/// One 1 KiB envelope written to the wire: as an element of a REST mailbox page (<c>EnvelopeJsonConverter</c> under
/// <c>WireJson</c>), and as the hub pushes it, an <c>Envelope(envelope)</c> invocation written by the JSON and the
/// MessagePack hub protocols into a reused buffer (the connection's pipe in the server).
/// </summary>
[MemoryDiagnoser]
public class EnvelopeWireWritingBenchmarks
{
    private readonly Envelope _envelope = EnvelopeSamples.StoredEnvelope();
    private readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web);
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private Utf8JsonWriter _writer = null!;
    private JsonHubProtocol _jsonHub = null!;
    private MessagePackHubProtocol _messagePackHub = null!;

    [GlobalSetup]
    public void Setup()
    {
        WireJson.Configure(_json);
        _writer = new Utf8JsonWriter(_buffer);
        var hubJson = new JsonHubProtocolOptions();
        WireJson.Configure(hubJson.PayloadSerializerOptions);
        _jsonHub = new JsonHubProtocol(Options.Create(hubJson));
        _messagePackHub = new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions { SerializerOptions = WireMessagePack.Options }));
    }

    [Benchmark]
    public int RestJson()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        JsonSerializer.Serialize(_writer, _envelope, _json);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int JsonHubInvocation()
    {
        _buffer.ResetWrittenCount();
        _jsonHub.WriteMessage(new InvocationMessage(HubEvents.Envelope, [_envelope]), _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int MessagePackHubInvocation()
    {
        _buffer.ResetWrittenCount();
        _messagePackHub.WriteMessage(new InvocationMessage(HubEvents.Envelope, [_envelope]), _buffer);
        return _buffer.WrittenCount;
    }

    [GlobalCleanup]
    public void Cleanup() => _writer.Dispose();
}
