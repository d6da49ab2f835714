using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using E2eeChat.Domain.Messages;
using E2eeChat.Server.Json;
using E2eeChat.Server.Messages;
using E2eeChat.Server.MsgPack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace E2eeChat.Benchmarks;

/// <summary>
/// One 1 → 2-device send of 1 KiB ciphertexts, from the bytes a client sent to the envelopes the store is given:
/// the REST body and both hub protocols (read, converted to the domain's request, parsed and decoded by
/// <c>SendParser</c>), and the parser alone.
/// </summary>
[MemoryDiagnoser]
public class EnvelopeSendParsingBenchmarks
{
    private static readonly MessagingOptions Messaging = new();
    private readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web);
    private JsonHubProtocol _jsonHub = null!;
    private MessagePackHubProtocol _messagePackHub = null!;
    private readonly SendBinder _binder = new();
    private byte[] _jsonBody = [];
    private ReadOnlySequence<byte> _jsonHubFrame;
    private ReadOnlySequence<byte> _messagePackHubFrame;
    private SendMessages _domainSend = null!;

    [GlobalSetup]
    public void Setup()
    {
        WireJson.Configure(_json);
        var hubJson = new JsonHubProtocolOptions();
        WireJson.Configure(hubJson.PayloadSerializerOptions);
        _jsonHub = new JsonHubProtocol(Options.Create(hubJson));
        _messagePackHub = new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions { SerializerOptions = WireMessagePack.Options }));
        _jsonBody = EnvelopeSamples.JsonBody();
        _jsonHubFrame = new ReadOnlySequence<byte>(EnvelopeSamples.JsonHubInvocation());
        _messagePackHubFrame = new ReadOnlySequence<byte>(EnvelopeSamples.MessagePackHubInvocation());
        _domainSend = EnvelopeSamples.DomainSend();
        // Each path must yield the two envelopes, or the figures measure an error.
        foreach (var envelopes in new[] { RestJsonBody(), JsonHubInvocation(), MessagePackHubInvocation() })
        {
            if (envelopes.Count != 2 || !envelopes[1].Content.AsSpan().SequenceEqual(EnvelopeSamples.Contents[1]))
            {
                throw new InvalidOperationException("A sample send did not parse to its two envelopes.");
            }
        }
    }

    /// <summary><c>PUT /api/v1/messages/{userId}</c>: the JSON body read as MVC reads it, then parsed.</summary>
    [Benchmark]
    public List<PendingEnvelope> RestJsonBody() =>
        Parse(JsonSerializer.Deserialize<SendMessagesRequest>(_jsonBody, _json)!);

    [Benchmark]
    public List<PendingEnvelope> JsonHubInvocation()
    {
        var frame = _jsonHubFrame;
        _jsonHub.TryParseMessage(ref frame, _binder, out var message);
        return Parse((SendMessagesRequest)((InvocationMessage)message!).Arguments[1]!);
    }

    [Benchmark]
    public List<PendingEnvelope> MessagePackHubInvocation()
    {
        var frame = _messagePackHubFrame;
        _messagePackHub.TryParseMessage(ref frame, _binder, out var message);
        return Parse((SendMessagesRequest)((InvocationMessage)message!).Arguments[1]!);
    }

    /// <summary><c>SendParser</c> alone, given the domain's request as either protocol's reader makes it.</summary>
    [Benchmark]
    public List<PendingEnvelope> ParserAlone() => SendParser.Envelopes(_domainSend, EnvelopeSamples.Destination, Messaging);

    private static List<PendingEnvelope> Parse(SendMessagesRequest request) =>
        SendParser.Envelopes(request.ToDomain(), EnvelopeSamples.Destination, Messaging);

    /// <summary>The hub's <c>Send(Guid destinationUserId, SendMessagesRequest request)</c>, as SignalR binds it.</summary>
    private sealed class SendBinder : IInvocationBinder
    {
        private static readonly Type[] Parameters = [typeof(Guid), typeof(SendMessagesRequest)];

        public IReadOnlyList<Type> GetParameterTypes(string methodName) => Parameters;

        public Type GetReturnType(string invocationId) => typeof(SendResult);

        public Type GetStreamItemType(string streamId) => throw new NotSupportedException();
    }
}
