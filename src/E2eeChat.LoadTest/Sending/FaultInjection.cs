using E2eeChat.LoadTest.Cli;
using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Metrics;

namespace E2eeChat.LoadTest.Sending;

/// <summary>
/// A deliberate misbehaviour of one receiving device, to show that the measurements catch what a
/// broken client or server would cause: it never acknowledges, then disconnects halfway through the
/// measured window (once it has received something), and either stays away (what is sent to it from
/// then on is lost to the run) or reconnects at once (the server redelivers what was unacknowledged:
/// duplicates by envelope id).
/// </summary>
internal sealed class FaultInjection
{
    private readonly Fault _fault;
    private readonly DeviceClient _target;

    private FaultInjection(Fault fault, DeviceClient target)
    {
        _fault = fault;
        _target = target;
    }

    /// <summary>Makes <paramref name="target"/> stop acknowledging; null when there is no fault to inject.</summary>
    public static FaultInjection? Arm(Fault fault, DeviceClient target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (fault == Fault.None)
        {
            return null;
        }
        target.DropAcks = true;
        return new FaultInjection(fault, target);
    }

    /// <summary>Strikes at <paramref name="at"/>, or later once the target has received something, but no later than <paramref name="latest"/>.</summary>
    public async Task StrikeAsync(long at, long latest, CancellationToken cancellationToken)
    {
        try
        {
            await RunClock.DelayUntilAsync(at, cancellationToken).ConfigureAwait(false);
            await Task.WhenAny(_target.FirstEnvelope, RunClock.DelayUntilAsync(latest, cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        await _target.DisconnectAsync().ConfigureAwait(false);
        if (_fault == Fault.DropAcksThenReconnect)
        {
            _target.DropAcks = false;
            await _target.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
