namespace E2eeChat.LoadTest.Metrics;

/// <summary>
/// The run's counts, updated with <see cref="Interlocked"/> from every connection and sender and read
/// by the progress display and the report. Envelope counts are per destination device.
/// </summary>
internal sealed class RunCounters
{
    public long DevicesCreated;
    public long ConnectionsOpen;
    public long ConnectAttempts;
    public long ConnectFailures;
    public long UnexpectedDisconnects;

    /// <summary>Sends the server accepted, and the envelopes they held.</summary>
    public long SendsAccepted;
    public long EnvelopesSent;
    public long SendErrors;

    /// <summary>Open loop: sends that started late because the sender had its maximum in flight.</summary>
    public long LateSends;

    /// <summary>Closed loop on delivery: sends not delivered to every device within the settle time.</summary>
    public long DeliveryTimeouts;

    /// <summary>First arrivals of an envelope id carrying this tool's header.</summary>
    public long Delivered;

    /// <summary>The same envelope id again (a redelivery of something not yet acknowledged).</summary>
    public long ServerDuplicates;

    /// <summary>A new envelope id with a (stream, sequence) already received.</summary>
    public long ContentDuplicates;

    /// <summary>First arrivals with a lower sequence than one already received from the same stream.</summary>
    public long Reordered;

    /// <summary>Envelopes whose content is not this tool's, or names a stream this run does not have.</summary>
    public long Foreign;

    public long AckCalls;

    /// <summary>Receipts heard by the senders' devices (each device of a sender hears each receipt).</summary>
    public long Receipts;

    public long AckErrors;
    public long HandlerErrors;

    /// <summary>What the run is doing now, for the progress display.</summary>
    public volatile string Phase = "starting";

    public ErrorLog ErrorLog { get; } = new();

    public long Errors =>
        Volatile.Read(ref ConnectFailures) + Volatile.Read(ref UnexpectedDisconnects) + Volatile.Read(ref SendErrors)
        + Volatile.Read(ref DeliveryTimeouts) + Volatile.Read(ref AckErrors) + Volatile.Read(ref HandlerErrors);
}
