using E2eeChat.Server.Auth;
using E2eeChat.Server.Metrics;

namespace E2eeChat.Server.Limits;

/// <summary>
/// The buckets of the calls a device makes over its hub connection: <c>Ack</c>, <c>MarkRead</c> and <c>Typing</c>. A device
/// has one hub connection in the whole cluster (a newer one closes the older), so the instance that holds it sees every
/// such call and counts them in process, exactly; a bucket in Redis would cost each call a round trip for the same answer.
/// Acks over REST can reach any instance and keep the cluster's bucket of the same rule, so each path has its own.
/// </summary>
public sealed class HubDeviceLimits : IDisposable
{
    private readonly LocalRateLimiter _buckets;
    private readonly MeteredRateLimiter _metered;

    public HubDeviceLimits(RateLimitOptions options, E2eeChatMetrics metrics)
    {
        _buckets = new LocalRateLimiter(options);
        _metered = new MeteredRateLimiter(_buckets, metrics);
    }

    public ValueTask AcquireAsync(RateLimitBucket bucket, Caller caller, CancellationToken cancellationToken) =>
        _metered.AcquireForDeviceAsync(bucket, caller, cancellationToken);

    public void Dispose() => _buckets.Dispose();
}
