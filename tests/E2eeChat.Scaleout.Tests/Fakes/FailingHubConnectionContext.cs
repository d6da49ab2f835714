using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace E2eeChat.Scaleout.Tests.Fakes;

/// <summary>A connection whose every write throws at once, as a broken transport might.</summary>
internal sealed class FailingHubConnectionContext(ConnectionContext connection, HubConnectionContextOptions options)
    : HubConnectionContext(connection, options, NullLoggerFactory.Instance)
{
    public override ValueTask WriteAsync(HubMessage message, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("This connection fails every write.");

    public override ValueTask WriteAsync(SerializedHubMessage message, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("This connection fails every write.");
}
