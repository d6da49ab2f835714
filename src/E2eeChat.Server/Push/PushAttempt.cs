using System.Net;
using System.Net.Http.Headers;

namespace E2eeChat.Server.Push;

internal enum PushOutcome
{
    Delivered,
    /// <summary>404 or 410, or a gateway's rejection: the subscription is gone for good.</summary>
    Gone,
    /// <summary>429, 5xx, a timeout or no connection: worth another try, after <see cref="PushAttempt.RetryAfter"/> if given.</summary>
    Retry,
    /// <summary>Any other refusal: this wake-up is dropped.</summary>
    Failed,
}

/// <summary>What one request to a push service or gateway came to.</summary>
internal readonly record struct PushAttempt(PushOutcome Outcome, int? Status = null, TimeSpan? RetryAfter = null)
{
    public static PushAttempt Delivered => new(PushOutcome.Delivered);

    public static PushAttempt Unreachable => new(PushOutcome.Retry);

    public static PushAttempt FromStatus(HttpStatusCode status, RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        var code = (int)status;
        return code switch
        {
            >= 200 and < 300 => new PushAttempt(PushOutcome.Delivered, code),
            404 or 410 => new PushAttempt(PushOutcome.Gone, code),
            429 or >= 500 => new PushAttempt(PushOutcome.Retry, code, Delay(retryAfter, now)),
            _ => new PushAttempt(PushOutcome.Failed, code),
        };
    }

    private static TimeSpan? Delay(RetryConditionHeaderValue? retryAfter, DateTimeOffset now) => retryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}
