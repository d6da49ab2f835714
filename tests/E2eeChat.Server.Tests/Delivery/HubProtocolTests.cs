using System.Security.Cryptography;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;
using static E2eeChat.Server.Tests.Infrastructure.Messaging;
using static E2eeChat.Server.Tests.Infrastructure.RoomCalls;

namespace E2eeChat.Server.Tests.Delivery;

/// <summary>
/// /hubs/chat speaks JSON and MessagePack with one contract: the same calls, events and fields in both;
/// content is base64 in JSON and bytes (msgpack bin) in MessagePack.
/// </summary>
public sealed class HubProtocolTests(SqliteServerFactory factory) : IClassFixture<SqliteServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Theory]
    [InlineData(HubProtocol.Json)]
    [InlineData(HubProtocol.MessagePack)]
    public async Task Alice_reaches_both_of_Bobs_devices_byte_for_byte_and_hears_both_delivered_receipts(HubProtocol protocol)
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(bob);
        var devices = await _api.DevicesAsync(bob);
        await using var aliceHub = await ConnectAsync(alice, protocol);
        await using var bobHub = await ConnectAsync(bob, protocol);
        await using var tabletHub = await ConnectAsync(tablet, protocol);
        // Every byte value, so that no text encoding on the way would go unnoticed.
        var content = Enumerable.Range(0, 256).Select(b => (byte)b).Concat(RandomNumberGenerator.GetBytes(700)).ToArray();

        var sent = await aliceHub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId,
            Send(devices.Select(d => BinaryEnvelope(d.DeviceId, d.RegistrationId, content))));

        foreach (var hub in new[] { bobHub, tabletHub })
        {
            await hub.WaitForEnvelopesAsync(1);
            var envelope = Assert.Single(hub.Envelopes);
            Assert.Equal(content, envelope.Content);
            Assert.Equal(sent.MessageId, envelope.MessageId);
            Assert.Equal(((Guid?)alice.UserId, (int?)alice.DeviceId, hub.Device.DeviceId), (envelope.SourceUserId, envelope.SourceDeviceId, envelope.DestinationDeviceId));
            await hub.AckAsync(hub.Envelopes);
        }
        await aliceHub.WaitForReceiptsAsync(2);
        Assert.Equal([(bob.UserId, 1, "delivered"), (bob.UserId, tablet.DeviceId, "delivered")],
            aliceHub.Receipts.Select(r => (r.UserId, r.DeviceId, r.Status)).OrderBy(r => r.DeviceId));
        Assert.All(aliceHub.Receipts, r => Assert.Equal(sent.MessageId, r.MessageId));
    }

    [Theory]
    [InlineData(HubProtocol.Json)]
    [InlineData(HubProtocol.MessagePack)]
    public async Task Room_events_typing_presence_read_receipts_and_Revoked_carry_the_same_fields(HubProtocol protocol)
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        await using var aliceHub = await ConnectAsync(alice, protocol);
        var roomId = await _api.CreateRoomAsync(alice, bob);
        await aliceHub.WaitUntilAsync(() => aliceHub.RoomEvents.Count == 3, "the room's created, invited and joined events");
        await using var bobHub = await ConnectAsync(bob, protocol);
        await aliceHub.WaitUntilAsync(() => aliceHub.PresenceEvents.Count == 1, "bob's presence");

        await bobHub.Connection.InvokeAsync("Typing", roomId.ToString(), true);
        var sent = await _api.SendTextToRoomAsync(alice, roomId, "read me", bob);
        await bobHub.WaitForEnvelopesAsync(1);
        await bobHub.Connection.InvokeAsync("MarkRead", new[] { Guid.Parse(sent.Text("messageId")) });
        await aliceHub.WaitUntilAsync(() => aliceHub.TypingEvents.Count == 1 && aliceHub.Receipts.Count == 1, "typing and the read receipt");
        await using var bobAgain = await ConnectAsync(bob, protocol);
        await bobHub.WaitForCloseAsync();

        Assert.Equal(["created", "invited", "joined"], aliceHub.RoomEvents.Select(e => e.Kind));
        var created = aliceHub.RoomEvents[0];
        Assert.Equal((roomId, "created", "team"), (created.RoomId, created.Kind, created.Name));
        Assert.True(created.At > 0);
        var invited = aliceHub.RoomEvents[1];
        Assert.Equal((bob.UserId, "team", alice.UserId), (invited.UserId, invited.Name, invited.ByUserId));
        Assert.Equal(new HubPresence(bob.UserId, true), aliceHub.PresenceEvents[0]);
        Assert.Equal(new HubTyping(roomId.ToString(), bob.UserId, bob.DeviceId, true), aliceHub.TypingEvents[0]);
        var receipt = aliceHub.Receipts[0];
        Assert.Equal((Guid.Parse(sent.Text("messageId")), bob.UserId, bob.DeviceId, "read"), (receipt.MessageId, receipt.UserId, receipt.DeviceId, receipt.Status));
        Assert.Equal(roomId, bobHub.Envelopes[0].RoomId);
        Assert.Null(bobHub.Envelopes[0].ExpiresAt);
        Assert.Equal("connected_elsewhere", await bobHub.WaitForRevokedAsync());
    }

    [Fact]
    public async Task MessagePack_content_sent_as_a_string_is_refused_with_the_code_and_stores_nothing()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var registration = (await _api.DevicesAsync(bob))[0].RegistrationId;
        await using var aliceHub = await ConnectAsync(alice, HubProtocol.MessagePack);
        var base64Envelope = new { destinationDeviceId = 1, destinationRegistrationId = registration, type = 2, content = "aGk=" };

        var error = await Assert.ThrowsAsync<HubException>(() =>
            aliceHub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId, Send([base64Envelope])));

        Assert.StartsWith("invalid_envelope: messages[0].content must be binary", HubDevice.ServerMessage(error), StringComparison.Ordinal);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    [Fact]
    public async Task Json_content_that_is_no_base64_string_is_refused_with_the_code()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var registration = (await _api.DevicesAsync(bob))[0].RegistrationId;
        await using var aliceHub = await ConnectAsync(alice, HubProtocol.Json);

        var notText = await Assert.ThrowsAsync<HubException>(() => aliceHub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId,
            Send([new { destinationDeviceId = 1, destinationRegistrationId = registration, type = 2, content = 42 }])));
        var notBase64 = await Assert.ThrowsAsync<HubException>(() => aliceHub.Connection.InvokeAsync<HubSendResult>("Send", bob.UserId,
            Send([new { destinationDeviceId = 1, destinationRegistrationId = registration, type = 2, content = "not base64!" }])));

        Assert.StartsWith("invalid_envelope: messages[0].content must be a base64 string", HubDevice.ServerMessage(notText), StringComparison.Ordinal);
        Assert.StartsWith("invalid_envelope: messages[0].content is not valid base64", HubDevice.ServerMessage(notBase64), StringComparison.Ordinal);
        Assert.Empty(await _api.MailboxAsync(bob));
    }

    /// <summary>Connected, with its backlog drained, so it is registered for events before the test acts.</summary>
    [Theory]
    [InlineData(HubProtocol.Json)]
    [InlineData(HubProtocol.MessagePack)]
    public async Task A_sealed_sender_envelope_sent_without_authentication_arrives_without_a_source(HubProtocol protocol)
    {
        var bob = await _api.SignUpAsync();
        var key = RandomNumberGenerator.GetBytes(16);
        await _api.PutAsync("/api/v1/accounts/me/attributes", new { unidentifiedAccessKey = Convert.ToBase64String(key) }, bob.AccessToken);
        await using var bobHub = await ConnectAsync(bob, protocol);
        await bobHub.WaitForQueueEmptyAsync();
        var content = RandomNumberGenerator.GetBytes(300);

        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/messages/{bob.UserId}")
        {
            Content = System.Net.Http.Json.JsonContent.Create(Send([BinaryEnvelope(1, 1234, content, type: 6)])),
        };
        request.Headers.Add("Unidentified-Access-Key", Convert.ToBase64String(key));
        using var response = await _api.Http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        await bobHub.WaitForEnvelopesAsync(1);
        var envelope = Assert.Single(bobHub.Envelopes);
        Assert.Equal((null, null, 6), (envelope.SourceUserId, envelope.SourceDeviceId, envelope.Type));
        Assert.Equal(content, envelope.Content);
    }

    [Fact]
    public void The_device_channel_codec_carries_a_sourceless_envelope_as_sourceless()
    {
        var envelope = new E2eeChat.Domain.Messages.Envelope(Guid.NewGuid(), Guid.NewGuid(), 6, null, null, null, Guid.NewGuid(), 2, 7,
            1, 2, [1, 2, 3], null);
        var bytes = new byte[E2eeChat.Server.Delivery.EnvelopeCodec.SizeOf(envelope)];

        E2eeChat.Server.Delivery.EnvelopeCodec.Write(envelope, bytes);
        var read = E2eeChat.Server.Delivery.EnvelopeCodec.Read(bytes);

        Assert.Equal((null, null), (read.SourceUserId, read.SourceDeviceId));
        Assert.Equal(envelope with { Content = read.Content }, read);
        Assert.Equal(envelope.Content, read.Content);
    }

    private async Task<HubDevice> ConnectAsync(TestDevice device, HubProtocol protocol)
    {
        var hub = await HubDevice.ConnectAsync(factory.BaseAddress, device, protocol);
        await hub.WaitForQueueEmptyAsync();
        return hub;
    }

    private static object BinaryEnvelope(int deviceId, int registrationId, byte[] content, int type = 2) =>
        new { destinationDeviceId = deviceId, destinationRegistrationId = registrationId, type, content };
}
