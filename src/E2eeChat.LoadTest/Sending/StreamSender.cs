using E2eeChat.LoadTest.Api;
using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Payload;

namespace E2eeChat.LoadTest.Sending;

/// <summary>Makes one numbered send of a stream and accounts for it: accepted (and its envelopes), or an error.</summary>
internal sealed class StreamSender(SenderStream stream, ISendTransport transport, int messageSize, DeliveryRecorder recorder,
    RunCounters counters)
{
    public SenderStream Stream => stream;

    /// <summary>True when the server accepted the send.</summary>
    public async Task<bool> SendAsync(long sequence)
    {
        var sentAt = RunClock.Now;
        var content = MessagePayload.Create(new PayloadHeader(stream.Id, sequence, sentAt), stream.Padding, messageSize);
        try
        {
            // Never cancelled midway: a send under way at the end is let finish, so it is counted.
            await transport.SendAsync(stream, content, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ApiException or HttpRequestException || HubFailures.IsCallFailure(exception))
        {
            Interlocked.Increment(ref counters.SendErrors);
            counters.ErrorLog.Record("send", exception);
            return false;
        }
        stream.Accepted(sequence);
        Interlocked.Increment(ref counters.SendsAccepted);
        Interlocked.Add(ref counters.EnvelopesSent, stream.FanOut);
        recorder.RecordSent(sentAt, stream.FanOut);
        return true;
    }
}
