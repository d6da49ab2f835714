using E2eeChat.Domain.Errors;
using E2eeChat.Domain.Messages;
using Xunit;

namespace E2eeChat.Domain.Tests.Messages;

public sealed class SendParserTests
{
    private static readonly Guid Destination = Guid.Parse("0193a5c2-8d07-7a31-8e2f-6a5b4c3d2e1f");

    // 2 and 6 devices take the small-send path (a linear search), 40 the set.
    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(40)]
    public void A_send_naming_one_device_twice_is_refused_as_invalid_envelope_naming_the_second(int devices)
    {
        var messages = Enumerable.Range(1, devices).Select(Message).ToList();
        messages.Add(Message(devices / 2));

        var error = Assert.Throws<DomainException>(() => SendParser.Envelopes(Send(messages), Destination, new MessagingOptions()));

        Assert.Equal(ErrorCodes.InvalidEnvelope, error.Code);
        Assert.StartsWith($"messages[{devices}] addresses device {devices / 2} of {Destination} a second time", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(40)]
    public void A_send_naming_each_device_once_gives_one_envelope_per_device_with_its_content(int devices)
    {
        var envelopes = SendParser.Envelopes(Send(Enumerable.Range(1, devices).Select(Message).ToList()), Destination, new MessagingOptions());

        Assert.Equal(Enumerable.Range(1, devices), envelopes.Select(e => e.Destination.DeviceId));
        Assert.All(envelopes, e => Assert.Equal([(byte)e.Destination.DeviceId, 1, 2, 3], e.Content));
    }

    [Fact]
    public void Content_larger_than_the_envelope_limit_is_refused_as_payload_too_large()
    {
        var options = new MessagingOptions { MaxEnvelopeBytes = 3 };

        var error = Assert.Throws<DomainException>(() => SendParser.Envelopes(Send([Message(1)]), Destination, options));

        Assert.Equal(ErrorCodes.PayloadTooLarge, error.Code);
    }

    private static OutgoingMessage Message(int device) =>
        new(null, device, 1000 + device, EnvelopeType.Whisper, EnvelopeContent.FromBytes([(byte)device, 1, 2, 3]));

    private static SendMessages Send(IReadOnlyList<OutgoingMessage> messages) =>
        new(messages, Timestamp: 1_796_000_000_000, MessageId: null, Online: null, TtlSeconds: null);
}
