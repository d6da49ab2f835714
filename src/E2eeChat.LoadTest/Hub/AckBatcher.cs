using E2eeChat.LoadTest.Metrics;
using Microsoft.AspNetCore.SignalR.Client;

namespace E2eeChat.LoadTest.Hub;

/// <summary>
/// Acknowledges a device's envelopes as they arrive, one <c>Ack</c> call in flight at a time: what
/// arrives while a call is under way goes in the next one, so batches grow with the load by themselves.
/// </summary>
internal sealed class AckBatcher(HubConnection connection, RunCounters counters)
{
    /// <summary>The server takes at most this many ids per call.</summary>
    private const int MaxBatch = 1000;

    private readonly Lock _gate = new();
    private readonly List<Guid> _pending = [];
    private bool _flushing;

    /// <summary>Set while the device is being stopped on purpose: a failed ack then is no error.</summary>
    public bool Stopping { get; set; }

    public void Add(Guid envelopeId)
    {
        lock (_gate)
        {
            _pending.Add(envelopeId);
            if (_flushing)
            {
                return;
            }
            _flushing = true;
        }
        _ = FlushAsync();
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            Guid[] batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _flushing = false;
                    return;
                }
                var count = Math.Min(_pending.Count, MaxBatch);
                batch = new Guid[count];
                _pending.CopyTo(0, batch, 0, count);
                _pending.RemoveRange(0, count);
            }
            try
            {
                await connection.InvokeAsync("Ack", batch).ConfigureAwait(false);
                Interlocked.Increment(ref counters.AckCalls);
            }
            catch (Exception exception) when (HubFailures.IsCallFailure(exception))
            {
                // Unacknowledged envelopes come again on the next connect; the duplicates are counted then.
                if (!Stopping)
                {
                    Interlocked.Increment(ref counters.AckErrors);
                    counters.ErrorLog.Record("ack", exception);
                }
            }
        }
    }
}
