namespace E2eeChat.Server.Shutdown;

/// <summary>Whether this instance is leaving, and how many requests it is still answering.</summary>
public sealed class DrainState
{
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private volatile bool _draining;

    /// <summary>Readiness answers 503 from here on.</summary>
    public bool IsDraining => _draining;

    /// <summary>New requests are refused with 503 from here on; the ones already running finish.</summary>
    public bool RefusesRequests { get; private set; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Begin() => _draining = true;

    public void RefuseRequests()
    {
        RefusesRequests = true;
        if (InFlight == 0)
        {
            _idle.TrySetResult();
        }
    }

    public void RequestStarted() => Interlocked.Increment(ref _inFlight);

    public void RequestEnded()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && RefusesRequests)
        {
            _idle.TrySetResult();
        }
    }

    /// <summary>Completes when no request is running after <see cref="RefuseRequests"/>.</summary>
    public Task Idle => _idle.Task;
}
