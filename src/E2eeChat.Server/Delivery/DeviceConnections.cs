using System.Collections.Concurrent;
using E2eeChat.Domain.Messages;
using E2eeChat.Server.Hub;
using E2eeChat.Server.Metrics;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Delivery;

/// <summary>
/// The live hub connections of this instance, one per device: a new connection of a device
/// replaces (and closes) the old one. Each carries the pump that delivers its mailbox.
/// </summary>
public sealed class DeviceConnections(
    IHubContext<ChatHub> hub,
    IMailboxStore mailbox,
    MessagingOptions options,
    TimeProvider clock,
    E2eeChatMetrics metrics,
    ILogger<DeviceConnections> logger)
{
    private readonly PumpSettings _pumps = new(mailbox, options, clock, metrics, logger);
    private readonly ConcurrentDictionary<DeviceKey, LiveDevice> _byDevice = new();
    private readonly ConcurrentDictionary<string, LiveDevice> _byConnection = new();

    public int Count => _byConnection.Count;

    /// <summary>Announcements queued in this instance's pumps (a gauge; read per scrape, not per envelope).</summary>
    public int QueuedAnnouncements
    {
        get
        {
            var queued = 0;
            foreach (var live in _byConnection.Values)
            {
                queued += live.Pump.Queued;
            }
            return queued;
        }
    }

    /// <summary>Content bytes of the envelopes this instance's pumps hold (a gauge; read per scrape).</summary>
    public long HeldBytes
    {
        get
        {
            var held = 0L;
            foreach (var live in _byConnection.Values)
            {
                held += live.Pump.HeldBytes;
            }
            return held;
        }
    }

    /// <summary>Content bytes the pump of the device's connection here holds; null when it has none here.</summary>
    internal long? HeldBytesOf(DeviceKey device) => _byDevice.TryGetValue(device, out var live) ? live.Pump.HeldBytes : null;

    public async Task AttachAsync(DeviceKey device, Guid sessionId, HubCallerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var pump = new MailboxPump(device, context, hub.Clients.Client(context.ConnectionId), _pumps);
        var live = new LiveDevice(device, sessionId, context, pump);
        LiveDevice? previous = null;
        _byConnection[context.ConnectionId] = live;
        _byDevice.AddOrUpdate(device, live, (_, old) =>
        {
            previous = old;
            return live;
        });
        // Registered before the backlog read starts, so nothing committed in between is missed.
        pump.Start();
        if (previous is not null)
        {
            await CloseAsync(previous, "connected_elsewhere").ConfigureAwait(false);
        }
    }

    public async Task DetachAsync(string connectionId)
    {
        if (_byConnection.TryRemove(connectionId, out var live))
        {
            _byDevice.TryRemove(new KeyValuePair<DeviceKey, LiveDevice>(live.Device, live));
            await live.Pump.DisposeAsync().ConfigureAwait(false);
        }
    }

    public bool IsConnectedHere(DeviceKey device) => _byDevice.ContainsKey(device);

    /// <summary>Hands the envelope to its device's connection here; false when the device has none here.</summary>
    public bool Announce(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (!_byDevice.TryGetValue(new DeviceKey(envelope.DestinationUserId, envelope.DestinationDeviceId), out var live))
        {
            return false;
        }
        live.Pump.Announce(envelope);
        return true;
    }

    /// <summary>Hands each envelope to its device's connection here; answers those whose device has none here, or null.</summary>
    public List<Envelope>? Announce(IReadOnlyList<Envelope> envelopes)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        List<Envelope>? notHere = null;
        for (var i = 0; i < envelopes.Count; i++)
        {
            if (!Announce(envelopes[i]))
            {
                (notHere ??= []).Add(envelopes[i]);
            }
        }
        return notHere;
    }

    /// <summary>Every local pump reads its mailbox again: announcements may have been lost.</summary>
    public void RecheckAll()
    {
        foreach (var live in _byConnection.Values)
        {
            live.Pump.Recheck();
        }
    }

    public void Acknowledged(string connectionId, IReadOnlyList<Guid> envelopeIds)
    {
        if (_byConnection.TryGetValue(connectionId, out var live))
        {
            live.Pump.Acknowledged(envelopeIds);
        }
    }

    /// <summary>The session of every live connection here (a device that reconnected has its newest only).</summary>
    public IReadOnlyList<Guid> LiveSessions()
    {
        var sessions = new List<Guid>(_byConnection.Count);
        foreach (var live in _byConnection.Values)
        {
            sessions.Add(live.SessionId);
        }
        return sessions;
    }

    /// <summary>Closes, with <paramref name="reason"/>, every connection whose session is not in <paramref name="live"/>.</summary>
    public async Task<int> CloseEndedSessionsAsync(IReadOnlySet<Guid> live, string reason)
    {
        ArgumentNullException.ThrowIfNull(live);
        var closed = 0;
        foreach (var connection in _byConnection.Values)
        {
            if (!live.Contains(connection.SessionId))
            {
                await CloseAsync(connection, reason).ConfigureAwait(false);
                closed++;
            }
        }
        return closed;
    }

    /// <summary>
    /// Tells every device connection of this instance that it is about to close, and why. The host's shutdown then
    /// closes them gracefully, after what was written; an abort here could drop the notice unsent.
    /// </summary>
    public Task TellAllAsync(string reason) => Task.WhenAll(_byConnection.Values.Select(live => TellAsync(live, reason)));

    /// <summary>Tells the device's connection why, then closes it.</summary>
    public async Task RevokeAsync(DeviceKey device, string reason)
    {
        if (_byDevice.TryGetValue(device, out var live))
        {
            await CloseAsync(live, reason).ConfigureAwait(false);
        }
    }

    private async Task CloseAsync(LiveDevice live, string reason)
    {
        await TellAsync(live, reason).ConfigureAwait(false);
        live.Context.Abort();
    }

    private async Task TellAsync(LiveDevice live, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await hub.Clients.Client(live.Context.ConnectionId).SendAsync(HubEvents.Revoked, new RevokedEvent(reason), timeout.Token)
                .ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The socket is already going; closing it is what matters.
        }
    }

    private sealed record LiveDevice(DeviceKey Device, Guid SessionId, HubCallerContext Context, MailboxPump Pump);
}
