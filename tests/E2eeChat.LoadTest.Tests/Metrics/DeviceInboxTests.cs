using E2eeChat.LoadTest.Hub;
using E2eeChat.LoadTest.Metrics;
using E2eeChat.LoadTest.Payload;
using Xunit;

namespace E2eeChat.LoadTest.Tests.Metrics;

public sealed class DeviceInboxTests
{
    private const int Streams = 2;
    private readonly DeviceInbox _inbox = new();

    private static ArrivedEnvelope Envelope(Guid id, int stream, long sequence) =>
        new(id, 1, new PayloadHeader(stream, sequence, 0), IsOurs: true, ContentLength: 256);

    [Fact]
    public void Sequences_in_order_count_as_in_order()
    {
        Assert.Equal(Arrival.InOrder, _inbox.Accept(Envelope(Guid.NewGuid(), 0, 1), Streams));
        Assert.Equal(Arrival.InOrder, _inbox.Accept(Envelope(Guid.NewGuid(), 0, 2), Streams));
        Assert.Equal(Arrival.InOrder, _inbox.Accept(Envelope(Guid.NewGuid(), 1, 1), Streams));
        Assert.Equal(Arrival.InOrder, _inbox.Accept(Envelope(Guid.NewGuid(), 0, 5), Streams));
    }

    [Fact]
    public void The_same_envelope_id_again_is_a_server_duplicate()
    {
        var id = Guid.NewGuid();
        _inbox.Accept(Envelope(id, 0, 1), Streams);

        Assert.Equal(Arrival.ServerDuplicate, _inbox.Accept(Envelope(id, 0, 1), Streams));
    }

    [Fact]
    public void A_new_envelope_id_with_a_sequence_already_received_is_a_content_duplicate()
    {
        _inbox.Accept(Envelope(Guid.NewGuid(), 0, 1), Streams);

        Assert.Equal(Arrival.ContentDuplicate, _inbox.Accept(Envelope(Guid.NewGuid(), 0, 1), Streams));
        Assert.Equal(Arrival.InOrder, _inbox.Accept(Envelope(Guid.NewGuid(), 1, 1), Streams));
    }

    [Fact]
    public void A_lower_sequence_after_a_higher_one_is_reordered_but_received()
    {
        _inbox.Accept(Envelope(Guid.NewGuid(), 0, 3), Streams);

        Assert.Equal(Arrival.Reordered, _inbox.Accept(Envelope(Guid.NewGuid(), 0, 2), Streams));
        Assert.True(_inbox.ReceivedFrom(0)!.Contains(2));
        Assert.Null(_inbox.ReceivedFrom(1));
    }

    [Fact]
    public void Content_that_is_not_ours_or_names_an_unknown_stream_is_foreign()
    {
        Assert.Equal(Arrival.Foreign, _inbox.Accept(new ArrivedEnvelope(Guid.NewGuid(), 1, default, IsOurs: false, 10), Streams));
        Assert.Equal(Arrival.Foreign, _inbox.Accept(Envelope(Guid.NewGuid(), Streams, 1), Streams));
    }
}
