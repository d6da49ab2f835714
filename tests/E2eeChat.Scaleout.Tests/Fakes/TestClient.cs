using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace E2eeChat.Scaleout.Tests.Fakes;

/// <summary>
/// The far end of an in-memory connection: a real <see cref="HubConnectionContext"/> over a pipe,
/// as a lifetime manager sees it, and the messages written to it read back with its hub protocol.
/// </summary>
public sealed class TestClient : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static int s_lastId;
    private readonly Pipe _toClient = new();
    private readonly Pipe _toServer = new();

    public TestClient(string? userIdentifier = null, bool failsWrites = false, IHubProtocol? protocol = null)
    {
        var id = $"connection-{Interlocked.Increment(ref s_lastId)}";
        var context = new DefaultConnectionContext(id,
            transport: new DuplexPipe(_toServer.Reader, _toClient.Writer),
            application: new DuplexPipe(_toClient.Reader, _toServer.Writer));
        var options = new HubConnectionContextOptions
        {
            KeepAliveInterval = TimeSpan.FromSeconds(15),
            ClientTimeoutInterval = TimeSpan.FromSeconds(30),
            StreamBufferCapacity = 10,
        };
        Connection = failsWrites
            ? new FailingHubConnectionContext(context, options)
            : new HubConnectionContext(context, options, NullLoggerFactory.Instance);
        Connection.Protocol = protocol ?? new JsonHubProtocol();
        Connection.UserIdentifier = userIdentifier;
    }

    public HubConnectionContext Connection { get; }

    public string ConnectionId => Connection.ConnectionId;

    /// <summary>The next whole message already written, or null when there is none.</summary>
    public HubMessage? TryRead() =>
        _toClient.Reader.TryRead(out var result) && TryParse(result, out var message) ? message : null;

    /// <summary>The next message, waiting for it up to <see cref="Patience"/>.</summary>
    public async Task<HubMessage> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _toClient.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{ConnectionId} received nothing within {Patience.TotalSeconds:0} s.");
            }
            if (TryParse(result, out var message))
            {
                return message;
            }
            if (result.IsCompleted)
            {
                throw new InvalidOperationException($"{ConnectionId} was closed.");
            }
        }
    }

    public async Task<InvocationMessage> ReadInvocationAsync() => Assert.IsType<InvocationMessage>(await ReadAsync());

    public void Dispose()
    {
        _toClient.Writer.Complete();
        _toClient.Reader.Complete();
        _toServer.Writer.Complete();
        _toServer.Reader.Complete();
    }

    private bool TryParse(ReadResult result, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message)
    {
        var buffer = result.Buffer;
        if (Connection.Protocol.TryParseMessage(ref buffer, ArgumentBinder.Instance, out message))
        {
            _toClient.Reader.AdvanceTo(buffer.Start);
            return true;
        }
        _toClient.Reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        return false;
    }

    /// <summary>The tests' client methods take one string; anything else is read as raw JSON.</summary>
    private sealed class ArgumentBinder : IInvocationBinder
    {
        public static readonly ArgumentBinder Instance = new();

        private static readonly Type[] OneString = [typeof(string)];
        private static readonly Type[] OneObject = [typeof(object)];

        public IReadOnlyList<Type> GetParameterTypes(string methodName) =>
            methodName is "Hello" or "Result" or "Barrier" ? OneString : OneObject;

        public Type GetReturnType(string invocationId) => typeof(object);

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
