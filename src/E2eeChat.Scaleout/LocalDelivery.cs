using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace E2eeChat.Scaleout;

/// <summary>
/// Writes one serialized message to this instance's connections. A connection that fails is
/// logged and skipped: it must not cost the others their message, nor the sender an exception.
/// Writes that complete at once (the usual case) allocate nothing; slow ones are collected so a
/// sender can wait for them, as the in-memory manager does.
/// </summary>
internal sealed class LocalDelivery(ILogger logger)
{
    public static bool IsExcluded(string connectionId, IReadOnlyList<string>? excludedConnectionIds)
    {
        if (excludedConnectionIds is null)
        {
            return false;
        }
        for (var i = 0; i < excludedConnectionIds.Count; i++)
        {
            if (string.Equals(excludedConnectionIds[i], connectionId, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    public void WriteAll(HubConnectionStore connections, SerializedHubMessage message,
        IReadOnlyList<string>? excludedConnectionIds, ref List<Task>? slowWrites, CancellationToken cancellationToken)
    {
        // HubConnectionStore has a struct enumerator: no allocation per send.
        foreach (var connection in connections)
        {
            if (!IsExcluded(connection.ConnectionId, excludedConnectionIds))
            {
                Write(connection, message, ref slowWrites, cancellationToken);
            }
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "One connection's failure, whatever it is, must not stop the fan-out to the others.")]
    public void Write(HubConnectionContext connection, SerializedHubMessage message, ref List<Task>? slowWrites,
        CancellationToken cancellationToken)
    {
        ValueTask write;
        try
        {
            write = connection.WriteAsync(message, cancellationToken);
        }
        catch (Exception exception)
        {
            logger.WriteFailed(connection.ConnectionId, exception);
            return;
        }
        if (write.IsCompletedSuccessfully)
        {
            // Lets a pooled IValueTaskSource behind the ValueTask be reused.
            write.GetAwaiter().GetResult();
            return;
        }
        (slowWrites ??= []).Add(ObserveAsync(connection.ConnectionId, write));
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "As in Write.")]
    private async Task ObserveAsync(string connectionId, ValueTask write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The sender gave up; nothing went wrong with the connection.
        }
        catch (Exception exception)
        {
            logger.WriteFailed(connectionId, exception);
        }
    }
}
