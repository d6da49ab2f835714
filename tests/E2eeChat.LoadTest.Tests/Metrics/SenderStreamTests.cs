using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Payload;
using E2eeChat.LoadTest.Sending;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Metrics;

public sealed class SenderStreamTests
{
    private readonly DeviceInbox _phone = new();
    private readonly DeviceInbox _laptop = new();
    private readonly SenderStream _stream;

    public SenderStreamTests()
    {
        _stream = new SenderStream(0, sender: null,
            [new Destination(Guid.NewGuid(), 1, 11, _phone), new Destination(Guid.NewGuid(), 2, 22, _laptop)], messageSize: 64);
    }

    private static void Receive(DeviceInbox inbox, long sequence) =>
        inbox.Accept(new ArrivedEnvelope(Guid.NewGuid(), 1, new PayloadHeader(0, sequence, 0), true, 64), streamCount: 1);

    [Fact]
    public void Accepted_envelopes_that_a_device_never_got_are_lost()
    {
        for (var sequence = 1; sequence <= 10; sequence++)
        {
            _stream.Accepted(_stream.NextSequence());
            Receive(_phone, sequence);
            if (sequence <= 7)
            {
                Receive(_laptop, sequence);
            }
        }

        var audit = _stream.Audit();

        Assert.Equal(3, audit.Lost);
        Assert.Equal(0, audit.DeliveredOfFailedSends);
    }

    [Fact]
    public void Envelopes_of_a_send_that_reported_an_error_but_arrived_are_counted_apart()
    {
        _stream.Accepted(_stream.NextSequence());
        var failed = _stream.NextSequence();
        Receive(_phone, 1);
        Receive(_laptop, 1);
        Receive(_phone, failed);

        var audit = _stream.Audit();

        Assert.Equal(0, audit.Lost);
        Assert.Equal(1, audit.DeliveredOfFailedSends);
    }

    [Fact]
    public async Task A_closed_loop_wait_ends_when_every_destination_got_the_message()
    {
        var sequence = _stream.NextSequence();
        var delivered = _stream.ExpectDelivery(sequence);

        _stream.Delivered(sequence);
        Assert.False(delivered.IsCompleted);
        _stream.Delivered(sequence + 1);
        Assert.False(delivered.IsCompleted);
        _stream.Delivered(sequence);

        await delivered.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
