using System.Diagnostics.Metrics;
using E2eeChat.Server.Delivery;
using E2eeChat.Server.Limits;

namespace E2eeChat.Server.Metrics;

/// <summary>
/// The product's own instruments, meter <c>E2eeChat</c> (README, "Operating", lists each with its Prometheus name).
/// Labels hold error codes and bucket names only: never a user, device, token or content.
/// </summary>
public sealed class E2eeChatMetrics
{
    public const string MeterName = "E2eeChat";

    private readonly Meter _meter;
    private readonly Counter<long> _stored;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _acked;
    private readonly Counter<long> _expired;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _publishFailures;
    private readonly Counter<long> _slowConsumers;

    public E2eeChatMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _stored = _meter.CreateCounter<long>("e2eechat.envelopes.stored", "{envelope}",
            "Envelopes committed to a mailbox (one per destination device of a durable send).");
        _delivered = _meter.CreateCounter<long>("e2eechat.envelopes.delivered", "{envelope}",
            "Envelopes pushed to a live device connection, ephemeral ones included; a redelivery counts again.");
        _acked = _meter.CreateCounter<long>("e2eechat.envelopes.acked", "{envelope}",
            "Envelopes acknowledged by their device and deleted (each gives the sender a delivered receipt).");
        _expired = _meter.CreateCounter<long>("e2eechat.envelopes.expired", "{envelope}",
            "Envelopes deleted unacknowledged because their TTL or the retention period passed.");
        _refused = _meter.CreateCounter<long>("e2eechat.requests.refused", "{request}",
            "Requests and hub calls refused with a stable error code (label code), REST and hub alike.");
        _rateLimited = _meter.CreateCounter<long>("e2eechat.rate_limit.refused", "{request}",
            "Requests refused by a rate-limit bucket (label bucket).");
        _publishFailures = _meter.CreateCounter<long>("e2eechat.backplane.publish_failures", "{message}",
            "Announcements that could not be published to Redis; the mailbox still holds the envelopes.");
        _slowConsumers = _meter.CreateCounter<long>("e2eechat.connections.slow_consumers", "{connection}",
            "Connections closed because a push to them stayed blocked for Messages:SlowConsumerTimeout.");
    }

    public void EnvelopesStored(int count) => _stored.Add(count);

    public void EnvelopeDelivered() => _delivered.Add(1);

    public void EnvelopesAcked(int count) => _acked.Add(count);

    public void EnvelopesExpired(int count) => _expired.Add(count);

    public void Refused(string code) => _refused.Add(1, new KeyValuePair<string, object?>("code", code));

    public void RateLimited(RateLimitBucket bucket) =>
        _rateLimited.Add(1, new KeyValuePair<string, object?>("bucket", bucket.ToString()));

    public void BackplanePublishFailed() => _publishFailures.Add(1);

    public void SlowConsumerClosed() => _slowConsumers.Add(1);

    /// <summary>The gauges read this instance's live connections when a scrape asks for them.</summary>
    public void Observe(DeviceConnections connections)
    {
        ArgumentNullException.ThrowIfNull(connections);
        _meter.CreateObservableGauge("e2eechat.connections.live", () => connections.Count, "{connection}",
            "Device connections open on this instance.");
        _meter.CreateObservableGauge("e2eechat.delivery.queued", () => connections.QueuedAnnouncements, "{envelope}",
            "Announced envelopes waiting in this instance's mailbox pumps for their connection.");
        _meter.CreateObservableGauge("e2eechat.delivery.held_bytes", () => connections.HeldBytes, "By",
            "Content bytes of envelopes this instance's mailbox pumps hold: queued announcements and mailbox pages being pushed.");
    }
}
